import { join } from 'node:path';
import { NginxRenderError } from '@dais/nginx';
import type { SiteSpec } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden';
import { renderSitesConfig, type SitesConfigInput } from './sites-config.render';

const site = (overrides: Partial<SiteSpec> = {}): SiteSpec => ({
  id: 1,
  name: 'blog',
  type: 'static',
  availability: 'enabled',
  hostnames: ['blog.dais.localhost'],
  runtime: null,
  nginx: {},
  ...overrides,
});

const input = (sites: SiteSpec[], overrides: Partial<SitesConfigInput> = {}): SitesConfigInput => ({
  prefix: '/srv/dais/orchestrator/nginx',
  generation: 3,
  statusPort: 7102,
  listen: { host: '127.0.0.1', port: 7101 },
  publicDirOf: (id) => `/srv/dais/orchestrator/data/sites/${id}/public`,
  sites,
  ...overrides,
});

const golden = (name: string, actual: string | undefined) => expectGolden(join(__dirname, '__golden__', name), actual ?? '');

describe('orchestrator nginx config', () => {
  it('renders sites as map entries (golden files)', () => {
    const files = renderSitesConfig(
      input([
        site(),
        site({ id: 2, name: 'shop', hostnames: ['shop.dais.localhost', 'shop.example.org'] }),
        site({ id: 3, name: 'paused', availability: 'not_served', hostnames: ['paused.dais.localhost'] }),
      ]),
    );
    golden('sites.nginx.conf', files['nginx.conf']);
    golden('site-roots.map', files['site-roots.map']);
    golden('site-availability.map', files['site-availability.map']);
  });

  it('renders an empty tier', () => {
    expect(renderSitesConfig(input([]))['site-roots.map']).toBe('# no entries\n');
  });

  it.each([
    ['a hostname with a quote', { hostnames: ['a".example.org'] }],
    ['a hostname with a semicolon', { hostnames: ['a;.example.org'] }],
    ['a hostname with a newline', { hostnames: ['a\n.example.org'] }],
    ['a hostname with a variable', { hostnames: ['$host'] }],
    ['an uppercase hostname', { hostnames: ['A.example.org'] }],
  ])('refuses %s even if it slipped past the contract', (_label, overrides) => {
    expect(() => renderSitesConfig(input([site(overrides)]))).toThrow(NginxRenderError);
  });

  it('refuses a site folder with unsafe characters', () => {
    expect(() => renderSitesConfig(input([site()], { publicDirOf: () => '/srv/x y/public' }))).toThrow(NginxRenderError);
  });

  it('refuses a listen address that is not an IP', () => {
    expect(() => renderSitesConfig(input([], { listen: { host: 'localhost', port: 80 } }))).toThrow(NginxRenderError);
  });
});
