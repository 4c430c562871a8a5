import { rm } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reconciler, type NginxDriftRepair } from './reconciler';
import { dynamicSpec, siteServiceFixture, staticSpec, type SiteServiceFixture } from './site-service.fixture';
import { toRuntimeSite } from './to-runtime-site';

/** A logger that keeps what was warned, by message. */
function recordingLog() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  const log = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ message, fields }),
  } as unknown as FastifyBaseLogger;
  return { log, warnings };
}

/** Polls a condition (the reconciler works on timers) for at most two seconds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the reconciler on the memory runtime', () => {
  let fx: SiteServiceFixture;
  let nginx: NginxDriftRepair & { repairs: number; problems: string[] };
  let recorded: ReturnType<typeof recordingLog>;
  let reconciler: Reconciler | undefined;

  const reconcilerWith = (timing = { intervalMs: 60_000, debounceMs: 10 }) => {
    reconciler = new Reconciler(fx.service, fx.runtime, nginx, timing, recorded.log);
    return reconciler;
  };
  const applyCount = (siteId: number) => fx.runtime.calls.filter((call) => call.operation === 'apply' && call.siteId === siteId).length;

  beforeEach(async () => {
    fx = await siteServiceFixture();
    recorded = recordingLog();
    nginx = {
      repairs: 0,
      problems: [],
      repairDrift() {
        this.repairs++;
        return Promise.resolve(this.problems.splice(0));
      },
    };
  });

  afterEach(async () => {
    await reconciler?.stop();
    reconciler = undefined;
    await fx.dispose();
  });

  it('repairs on start: containers removed by hand come back, orphans go, nginx drift is repaired', async () => {
    await fx.service.apply(dynamicSpec(1));
    await fx.service.apply(staticSpec(2));
    fx.runtime.removeByHand(1);
    await fx.runtime.apply(toRuntimeSite(dynamicSpec(3), { siteDir: fx.files.siteDir(3), uid: 200_003, hasRunScript: true }));
    nginx.problems.push('site-upstreams.map was deleted');
    await reconcilerWith().start();
    expect(fx.runtime.runningCount(1)).toBe(1);
    expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual(fx.endpoints.of(1));
    expect(fx.runtime.runningCount(3)).toBe(0);
    expect(await fx.runtime.managedSiteIds()).toEqual([1]);
    expect(nginx.repairs).toBe(1);
    expect(recorded.warnings.map((warning) => warning.message)).toEqual([
      'removed containers of a site this orchestrator does not hold',
      'repaired the nginx configuration',
    ]);
  });

  it('repairs every site even when one cannot be repaired now, and says which', async () => {
    await fx.service.apply(dynamicSpec(1));
    await fx.service.apply(dynamicSpec(2));
    fx.runtime.removeByHand(1);
    fx.runtime.removeByHand(2);
    fx.runtime.failNext('apply');
    await reconcilerWith().runOnce();
    expect(fx.runtime.runningCount(1)).toBe(0);
    expect(fx.runtime.runningCount(2)).toBe(1);
    expect(recorded.warnings).toEqual([{ message: 'could not repair site', fields: expect.objectContaining({ siteId: 1 }) }]);
    expect(nginx.repairs).toBe(1);
    await reconciler?.runOnce();
    expect(fx.runtime.runningCount(1)).toBe(1);
  });

  it('reports repaired site folders', async () => {
    await fx.service.apply(staticSpec(1));
    await rm(`${fx.files.siteDir(1)}/private`, { recursive: true });
    await reconcilerWith().runOnce();
    expect(recorded.warnings).toEqual([
      { message: 'repaired the site folder', fields: { siteId: 1, notes: ['private was missing: Dais made an empty private folder.'] } },
    ]);
  });

  it('leaves the orphans and nginx for the next pass when the runtime cannot list its sites', async () => {
    await fx.runtime.apply(toRuntimeSite(dynamicSpec(3), { siteDir: fx.files.siteDir(3), uid: 200_003, hasRunScript: true }));
    fx.runtime.failNext('managedSiteIds');
    await reconcilerWith().runOnce();
    expect(fx.runtime.runningCount(3)).toBe(1);
    expect(nginx.repairs).toBe(0);
    expect(recorded.warnings.map((warning) => warning.message)).toEqual(['reconcile pass incomplete; next pass retries']);
    await reconciler?.runOnce();
    expect(fx.runtime.runningCount(3)).toBe(0);
    expect(nginx.repairs).toBe(1);
  });

  it('never runs two passes at once: a pass asked for during one is that same pass', async () => {
    const reconciler = reconcilerWith();
    const first = reconciler.runOnce();
    expect(reconciler.runOnce()).toBe(first);
    await first;
    expect(nginx.repairs).toBe(1);
    await reconciler.runOnce();
    expect(nginx.repairs).toBe(2);
  });

  it('converges a site promptly after its containers change, once per burst of engine events', async () => {
    await fx.service.apply(dynamicSpec(1));
    await reconcilerWith().start();
    const applied = applyCount(1);
    // Three changes in a burst, as an engine reports a removal (kill, die, destroy).
    fx.runtime.removeByHand(1);
    await fx.runtime.remove(1);
    await fx.runtime.apply(toRuntimeSite(dynamicSpec(1), { siteDir: fx.files.siteDir(1), uid: 200_001, hasRunScript: true }));
    fx.runtime.removeByHand(1);
    await until(() => fx.runtime.runningCount(1) === 1);
    expect(fx.runtime.runningCount(1)).toBe(1);
    expect(applyCount(1) - applied).toBe(2); // the test's own apply, and one converge
    expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual(fx.endpoints.of(1));
  });

  it('stops watching the runtime on stop', async () => {
    await fx.service.apply(dynamicSpec(1));
    const reconciler = reconcilerWith();
    await reconciler.start();
    expect(fx.runtime.watcherCount).toBe(1);
    await reconciler.stop();
    expect(fx.runtime.watcherCount).toBe(0);
  });

  it('passes again every interval', async () => {
    vi.useFakeTimers();
    try {
      await reconcilerWith({ intervalMs: 1_000, debounceMs: 10 }).start();
      expect(nginx.repairs).toBe(1);
      await vi.advanceTimersByTimeAsync(3_000);
      expect(nginx.repairs).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
