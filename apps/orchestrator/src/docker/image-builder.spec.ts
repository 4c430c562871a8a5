import { createHash } from 'node:crypto';
import type { SiteImageBuild } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from '../config/orchestrator.config';
import { DockerImageBuilder, siteImageTag } from './image-builder';

const input = (overrides: Partial<SiteImageBuild> = {}): SiteImageBuild => ({
  siteId: 7,
  base: { name: 'busybox', baseImage: 'dais/busybox:latest', packageUpdate: null, packageInstall: null, runScript: '' },
  packages: [],
  setupCommands: [['touch', '/ready']],
  ...overrides,
});

// prepare() never talks to the engine, so no socket is needed.
const settings = loadOrchestratorConfig({ DAIS_STATE_DIR: '/nonexistent' }).build;
const builder = (namePrefix = 'dais-site-') => new DockerImageBuilder({ socketPath: '/nonexistent/docker.sock', namePrefix, settings });

describe('preparing a site image build', () => {
  it("tags the image <prefix><site id>:<first 12 hex of the Dockerfile's sha256>", () => {
    const prepared = builder().prepare(input());
    const hash = createHash('sha256').update(prepared.dockerfile).digest('hex');
    expect(prepared).toMatchObject({
      siteId: 7,
      plan: { baseImage: 'dais/busybox:latest' },
      hash,
      tag: `dais-site-7:${hash.slice(0, 12)}`,
    });
    expect(prepared.plan.steps).toEqual([{ argv: ['touch', '/ready'], refreshesDaily: false }]);
    expect(siteImageTag('dais-test-ab12-', 7, hash)).toBe(`dais-test-ab12-7:${hash.slice(0, 12)}`);
  });

  it('names the same input the same image, and any change a new one', () => {
    const tag = builder().prepare(input()).tag;
    expect(builder().prepare(input()).tag).toBe(tag);
    expect(builder().prepare(input({ setupCommands: [['touch', '/other']] })).tag).not.toBe(tag);
    expect(builder().prepare(input({ siteId: 8 })).tag).not.toBe(tag.replace('-7:', '-8:'));
    expect(builder('dais-other-').prepare(input()).tag.startsWith('dais-other-7:')).toBe(true);
  });

  it('refuses before building what no image can satisfy', () => {
    expect(() => builder().prepare(input({ packages: ['curl'] }))).toThrow(expect.objectContaining({ code: 'IMAGE_PACKAGES_UNSUPPORTED' }));
  });
});
