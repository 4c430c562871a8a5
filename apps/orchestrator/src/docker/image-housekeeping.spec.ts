import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { removeOldImages } from './image-housekeeping';

describe('removing old images of a site', () => {
  it('also removes the registry copy tags of an old image, which would keep it alive', async () => {
    const removed: string[] = [];
    const images = [
      { Id: 'sha256:new', RepoTags: ['dais-site-7:bbb', '172.17.0.1:5000/dais-site-7:bbb'] },
      { Id: 'sha256:old', RepoTags: ['dais-site-7:aaa', '172.17.0.1:5000/dais-site-7:aaa'] },
    ];
    const created: Record<string, string> = { 'dais-site-7:aaa': '2026-12-01T00:00:00Z', 'dais-site-7:bbb': '2026-12-02T00:00:00Z' };
    const docker = {
      listImages: () => Promise.resolve(images),
      listContainers: () => Promise.resolve([]),
      getImage: (tag: string) => ({
        inspect: () => Promise.resolve({ Created: created[tag] }),
        remove: () => Promise.resolve(void removed.push(tag)),
      }),
    } as unknown as Docker;
    await removeOldImages(docker, { namePrefix: 'dais-site-', siteId: 7, keep: 'dais-site-7:bbb', keepPerSite: 1 }, () => undefined);
    expect(removed).toEqual(['172.17.0.1:5000/dais-site-7:aaa', 'dais-site-7:aaa']);
  });
});
