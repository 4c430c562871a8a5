import { describe, expect, it } from 'vitest';
import type { SiteSpec } from '@dais/shared';
import { EndpointRegistry, observeRunningEndpoints } from './endpoint-registry';
import type { RuntimeObservation } from './runtime-driver';

const spec = (id: number, type: 'static' | 'dynamic') => ({ id, type }) as SiteSpec;
const observation = (endpoints: string[]): RuntimeObservation => ({
  state: endpoints.length > 0 ? 'running' : 'missing',
  exitCode: null,
  restarts: 0,
  endpoints,
  image: null,
  startedAt: null,
  logTail: null,
});

describe('observeRunningEndpoints (an orchestrator starting beside a running nginx)', () => {
  it("records each dynamic site's running endpoints and asks nothing about static sites", async () => {
    const asked: number[] = [];
    const runtime = {
      observe: (siteId: number) => {
        asked.push(siteId);
        return Promise.resolve(observation(siteId === 2 ? ['172.30.0.5:8080'] : []));
      },
    };
    const registry = new EndpointRegistry();
    await observeRunningEndpoints([spec(1, 'static'), spec(2, 'dynamic'), spec(3, 'dynamic')], runtime, registry);
    expect(asked.sort()).toEqual([2, 3]);
    expect(registry.of(2)).toEqual(['172.30.0.5:8080']);
    expect(registry.of(3)).toEqual([]);
  });

  it('looks at every site of a large installation, a few at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const runtime = {
      observe: async (siteId: number) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return observation([`172.30.${Math.floor(siteId / 250)}.${siteId % 250}:8080`]);
      },
    };
    const registry = new EndpointRegistry();
    const specs = Array.from({ length: 100 }, (_, index) => spec(index + 1, 'dynamic'));
    await observeRunningEndpoints(specs, runtime, registry);
    expect(specs.every((site) => registry.of(site.id).length === 1)).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
  });

  it('leaves a site whose containers cannot be looked at without endpoints, and goes on', async () => {
    const runtime = {
      observe: (siteId: number) =>
        siteId === 1 ? Promise.reject(new Error('the engine did not answer')) : Promise.resolve(observation(['172.30.0.9:8080'])),
    };
    const registry = new EndpointRegistry();
    await observeRunningEndpoints([spec(1, 'dynamic'), spec(2, 'dynamic')], runtime, registry);
    expect(registry.of(1)).toEqual([]);
    expect(registry.of(2)).toEqual(['172.30.0.9:8080']);
  });
});
