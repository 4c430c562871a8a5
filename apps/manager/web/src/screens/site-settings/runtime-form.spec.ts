import { describe, expect, it } from 'vitest';
import type { SiteView } from '../../api/types';
import { changesOf, draftOf, envRow, packagesOf } from './runtime-form';

function site(overrides: Partial<SiteView> = {}): SiteView {
  return {
    id: 1,
    name: 'shop',
    type: 'static',
    description: '',
    state: 'active',
    availability: 'enabled',
    url: 'http://shop.dais.localhost/',
    hostnames: ['shop.dais.localhost'],
    domains: [],
    createdAt: '2026-11-30T00:00:00.000Z',
    runtime: null,
    database: null,
    nginx: {},
    disk: { limitMb: 1_024, isDefault: true },
    operation: null,
    ...overrides,
  };
}

const dynamic = site({
  type: 'dynamic',
  runtime: {
    image: 'debian',
    builtImage: null,
    packages: ['curl'],
    setupCommands: [],
    env: { GREETING: 'hi' },
    secretNames: [],
    limits: { memoryMb: 256, cpus: 0.5, pids: 256 },
    stopped: false,
  },
});

describe('runtime form', () => {
  it('sends nothing when nothing changed', () => {
    expect(changesOf(dynamic, draftOf(dynamic))).toEqual({});
    expect(changesOf(site(), draftOf(site()))).toEqual({});
  });

  it('sends only the type when a dynamic site becomes static (image and packages are for dynamic sites)', () => {
    expect(changesOf(dynamic, { ...draftOf(dynamic), type: 'static', packagesText: 'git' })).toEqual({ type: 'static' });
  });

  it('sends the type and the chosen image when a static site becomes dynamic', () => {
    expect(changesOf(site(), { type: 'dynamic', image: 'node', packagesText: '', env: [] })).toEqual({ type: 'dynamic', image: 'node' });
  });

  it('sends packages and env that differ, ignoring rows without a name', () => {
    const draft = { ...draftOf(dynamic), packagesText: 'curl, git\nlibpq-dev', env: [envRow('GREETING', 'hello'), envRow('', 'x')] };
    expect(changesOf(dynamic, draft)).toEqual({ packages: ['curl', 'git', 'libpq-dev'], env: { GREETING: 'hello' } });
  });

  it('splits packages on spaces, commas and new lines', () => {
    expect(packagesOf('  a b,c\n\nd=1.0 ')).toEqual(['a', 'b', 'c', 'd=1.0']);
  });
});
