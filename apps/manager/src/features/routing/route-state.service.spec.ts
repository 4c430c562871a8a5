import { routeStateDigest, type RouteSpec, type RouteSummary } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../testing/test-config';
import type { RouterClient } from '../../infrastructure/peers/peer-clients';
import type { RouteSource } from './route-spec';
import type { RouteStateRepository } from './route-state.repository';
import { RouteStateService, type RouteStateTarget } from './route-state.service';

const verified = new Date('2026-01-01T00:00:00Z');

/** Two sites: one bare, one with a verified domain, a wildcard, an unverified claim and its own body limit. */
const SITES: RouteSource[] = [
  { id: 1, name: 'blog', clientMaxBodyMb: null, domains: [] },
  {
    id: 2,
    name: 'shop',
    clientMaxBodyMb: 50,
    domains: [
      { hostname: 'shop.example.org', verifiedAt: verified },
      { hostname: '*.shop.example.org', verifiedAt: verified },
      { hostname: 'claimed.example.org', verifiedAt: null },
    ],
  },
];

/** A router that holds a route state and records what it was sent. */
function fakeRouter(held: RouteSpec[]): RouteStateTarget & { sent: RouteSpec[][] } {
  const sent: RouteSpec[][] = [];
  return {
    sent,
    routeSummary: () => Promise.resolve<RouteSummary>({ sites: held.length, digest: routeStateDigest(held) }),
    replaceRoutes: (specs) => {
      sent.push([...specs]);
      held = [...specs];
      return Promise.resolve({
        sites: specs.length,
        added: specs.length,
        removed: 0,
        changed: 0,
        nginxGeneration: 7,
        digest: routeStateDigest(specs),
      });
    },
  };
}

function service(sites: RouteSource[] = SITES) {
  const repository = { routedSites: () => Promise.resolve(sites) } as unknown as RouteStateRepository;
  return new RouteStateService(repository, {} as RouterClient, testConfig({ DAIS_SITES_DOMAIN: 'dais.test' }));
}

describe('RouteStateService', () => {
  it('builds every site route as the per-site step does: own name, verified domains, certificates without wildcards, body limit', async () => {
    expect(await service().desiredRoutes()).toEqual([
      { siteId: 1, hostnames: ['blog.dais.test'], certificateHostnames: [] },
      {
        siteId: 2,
        hostnames: ['shop.dais.test', 'shop.example.org', '*.shop.example.org'],
        certificateHostnames: ['shop.example.org'],
        clientMaxBodyMb: 50,
      },
    ]);
  });

  it('fills an empty router with the whole state in one request and says what it sent', async () => {
    const router = fakeRouter([]);
    const stages: string[] = [];
    const result = await service().fillRouter(router, { onProgress: (progress) => stages.push(progress.stage) });
    expect(router.sent).toHaveLength(1);
    expect(router.sent[0]?.map((spec) => spec.siteId)).toEqual([1, 2]);
    expect(result).toMatchObject({ sent: true, sites: 2, before: { sites: 0 }, applied: { sites: 2 } });
    expect(result.bytes).toBe(Buffer.byteLength(JSON.stringify({ routes: router.sent[0] })));
    expect(stages).toEqual(['desired', 'router', 'sending']);
  });

  it('sends nothing when the router already holds the same state, in any order', async () => {
    const desired = await service().desiredRoutes();
    const router = fakeRouter([...desired].reverse());
    const result = await service().fillRouter(router);
    expect(router.sent).toEqual([]);
    expect(result).toMatchObject({ sent: false, bytes: 0, sites: 2, digest: routeStateDigest(desired) });
  });

  it('sends the whole state when the router drifted, and when forced', async () => {
    const drifted = fakeRouter([{ siteId: 1, hostnames: ['old.dais.test'], certificateHostnames: [] }]);
    expect((await service().fillRouter(drifted)).sent).toBe(true);
    expect((await service().fillRouter(drifted)).sent).toBe(false);
    expect((await service().fillRouter(drifted, { force: true })).sent).toBe(true);
    expect(drifted.sent).toHaveLength(2);
  });
});
