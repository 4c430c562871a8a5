import { isDaisError } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteProgram } from './memory-runtime';
import type { RuntimeObservation, RuntimeSite, SiteRuntimeDriver } from './runtime-driver';

/** Where the real drivers differ on purpose; every driver declares which way it goes. */
export interface RuntimeDriverTraits {
  /** What a site told to stop leaves: nothing (`removed`, docker) or a service scaled to zero (`scaled-to-zero`, swarm). */
  stoppedSite: 'removed' | 'scaled-to-zero';
  /** Whether `replicas` containers run (`as-asked`, swarm) or always one (`one`, docker). */
  replicas: 'one' | 'as-asked';
}

/** A driver under test and the engine around it: how to make sites, images and other owners on it. */
export interface RuntimeDriverSubject {
  traits: RuntimeDriverTraits;
  /** A prepared driver with a name prefix (owner) of its own; each call makes another on the same engine. */
  newDriver(): Promise<SiteRuntimeDriver>;
  /** A site the engine can run: its image is there, its folder made, its program serving on $PORT. */
  site(siteId: number, changes?: Partial<RuntimeSite>): Promise<RuntimeSite>;
  /** What the site's program (its run.sh) does from its next start on. */
  setProgram(site: RuntimeSite, program: SiteProgram): Promise<void>;
  /** The reference of an image without a command of its own. */
  imageWithoutCommand(): Promise<string>;
  /** A reference of the test's own, and a way to point it at another image (as a rebuild would). */
  ownImage(): Promise<{ reference: string; repoint(): Promise<void> }>;
  /** Removes every container, service, network, image and folder the subject made. */
  dispose(): Promise<void>;
}

/** Long enough for a Swarm task to be placed and give up after its restarts; the memory driver needs none of it. */
const SLOW_MS = 60_000;

/**
 * What every {@link SiteRuntimeDriver} must do, as vitest tests: run against the memory driver in
 * the unit tier and against the Docker and Swarm drivers on a real engine in the integration tier,
 * so a test of orchestrator logic on the memory driver says something about the real ones.
 */
export function runtimeDriverContract(name: string, makeSubject: () => Promise<RuntimeDriverSubject>): void {
  describe(`the ${name} runtime driver keeps the runtime contract`, { timeout: SLOW_MS }, () => {
    let subject: RuntimeDriverSubject;
    let driver: SiteRuntimeDriver;

    beforeAll(async () => {
      subject = await makeSubject();
      driver = await subject.newDriver();
    }, SLOW_MS * 2);

    afterAll(async () => {
      await subject.dispose();
    }, SLOW_MS * 2);

    // Each test runs sites of its own (no two tests share a site id) and removes them, so the tests
    // pass in any order (`--sequence.shuffle`); only the driver and its engine are shared.
    const observeUntil = (siteId: number, check: (observed: RuntimeObservation) => boolean) =>
      pollUntil(() => driver.observe(siteId), check);
    const running = (siteId: number) => observeUntil(siteId, (observed) => observed.state === 'running');

    it('observes a site it never ran as missing, and has nothing to remove for it', async () => {
      expect(await driver.observe(901)).toEqual({
        state: 'missing',
        exitCode: null,
        restarts: 0,
        endpoints: [],
        image: null,
        startedAt: null,
        logTail: null,
      });
      expect(await driver.remove(901)).toBe(false);
      expect(await driver.managedSiteIds()).not.toContain(901);
    });

    it('prepares again without harm', async () => {
      await expect(driver.prepare()).resolves.toBeUndefined();
    });

    it('runs an applied site: running, one endpoint, its image, a start time, listed as managed', async () => {
      const site = await subject.site(1);
      await driver.apply(site);
      const observed = await running(1);
      expect(observed).toMatchObject({ state: 'running', exitCode: null, image: site.image, logTail: null });
      expect(observed.endpoints).toEqual([expect.stringMatching(/^[\d.]+:\d+$/)]);
      expect(observed.startedAt).toEqual(expect.any(String));
      expect(await driver.managedSiteIds()).toContain(1);
      await driver.remove(1);
    });

    it('leaves the containers alone when the same spec is applied again', async () => {
      const site = await subject.site(11);
      await driver.apply(site);
      const before = await running(11);
      await driver.apply(await subject.site(11));
      expect(await driver.observe(11)).toEqual(before);
      await driver.remove(11);
    });

    it('replaces the containers when the spec changes', async () => {
      const site = await subject.site(12);
      await driver.apply(site);
      const before = await running(12);
      await driver.apply({ ...site, env: { ...site.env, GREETING: 'changed' } });
      const after = await observeUntil(12, (observed) => observed.state === 'running' && observed.startedAt !== before.startedAt);
      expect(after.state).toBe('running');
      expect(after.startedAt).not.toBe(before.startedAt);
      await driver.remove(12);
    });

    it('restarts unchanged containers when asked to', async () => {
      const site = await subject.site(13);
      await driver.apply(site);
      const before = await running(13);
      await driver.apply(site, { restart: true });
      const after = await observeUntil(13, (observed) => observed.state === 'running' && observed.startedAt !== before.startedAt);
      expect(after.state).toBe('running');
      expect(after.startedAt).not.toBe(before.startedAt);
      await driver.remove(13);
    });

    it('stops a site that must not run (no endpoints), and starts it again', async () => {
      const site = await subject.site(2);
      await driver.apply(site);
      await running(2);
      await driver.apply({ ...site, running: false });
      const stopped = await driver.observe(2);
      expect(stopped.endpoints).toEqual([]);
      if (subject.traits.stoppedSite === 'removed') {
        expect(stopped.state).toBe('missing');
        expect(await driver.managedSiteIds()).not.toContain(2);
      } else {
        expect(stopped.state).toBe('stopped');
        expect(await driver.managedSiteIds()).toContain(2);
      }
      await driver.apply(site);
      expect((await running(2)).endpoints).toHaveLength(1);
      await driver.remove(2);
    });

    it('removes a site: gone from observation and from the managed list; a second remove finds nothing', async () => {
      const site = await subject.site(3);
      await driver.apply(site);
      await running(3);
      expect(await driver.remove(3)).toBe(true);
      expect((await driver.observe(3)).state).toBe('missing');
      expect(await driver.managedSiteIds()).not.toContain(3);
      expect(await driver.remove(3)).toBe(false);
    });

    it('reports a program that exits as crashed, with its exit code and last output, until a restart', async () => {
      const site = await subject.site(4);
      await subject.setProgram(site, { kind: 'exits', exitCode: 3, output: 'cannot find config.json' });
      await driver.apply(site);
      const crashed = await observeUntil(4, (observed) => observed.state === 'crashed');
      expect(crashed).toMatchObject({ state: 'crashed', exitCode: 3, endpoints: [] });
      expect(crashed.logTail).toContain('cannot find config.json');
      expect(crashed.restarts).toBeLessThanOrEqual(3);
      // No endless restarts: applying the same spec leaves a crashed site crashed.
      await driver.apply(site);
      expect((await driver.observe(4)).state).toBe('crashed');
      await subject.setProgram(site, { kind: 'serves' });
      await driver.apply(site, { restart: true });
      expect((await running(4)).endpoints).toHaveLength(1);
      await driver.remove(4);
    });

    it('refuses a site with nothing to run (no run.sh, an image without a command) and runs nothing', async () => {
      const site = await subject.site(5, { image: await subject.imageWithoutCommand(), command: { kind: 'image' } });
      const refusal = await driver.apply(site).catch((error: unknown) => error);
      expect(isDaisError(refusal, 'RUN_SCRIPT_MISSING'), String(refusal)).toBe(true);
      expect((await driver.observe(5)).endpoints).toEqual([]);
      await driver.remove(5);
    });

    it('refuses an image that is not there and cannot be fetched', async () => {
      const site = await subject.site(6, { image: 'dais-no-such-image/anywhere:1' });
      const refusal = await driver.apply(site).catch((error: unknown) => error);
      expect(isDaisError(refusal, 'IMAGE_UNAVAILABLE'), String(refusal)).toBe(true);
      expect((await driver.observe(6)).state).toBe('missing');
    });

    it('replaces the containers once the image reference points at another image', async () => {
      const image = await subject.ownImage();
      const site = await subject.site(7, { image: image.reference });
      await driver.apply(site);
      const before = await running(7);
      await image.repoint();
      await driver.apply(site);
      const after = await observeUntil(7, (observed) => observed.state === 'running' && observed.startedAt !== before.startedAt);
      expect(after).toMatchObject({ state: 'running', image: image.reference });
      expect(after.startedAt).not.toBe(before.startedAt);
      await driver.remove(7);
    });

    it('runs as many containers as replicas asks where the runtime spreads sites over tasks, else one', async () => {
      const site = await subject.site(8, { replicas: 2 });
      await driver.apply(site);
      const expected = subject.traits.replicas === 'as-asked' ? 2 : 1;
      const observed = await observeUntil(8, (seen) => seen.state === 'running' && seen.endpoints.length === expected);
      expect(observed.endpoints).toHaveLength(expected);
      await driver.remove(8);
    });

    it("never sees, observes or removes another owner's sites on the same engine", async () => {
      const neighbour = await subject.newDriver();
      await driver.apply(await subject.site(9));
      await running(9);
      expect(await neighbour.managedSiteIds()).not.toContain(9);
      expect((await neighbour.observe(9)).state).toBe('missing');
      expect(await neighbour.remove(9)).toBe(false);
      expect((await driver.observe(9)).state).toBe('running');
      expect(await driver.managedSiteIds()).toContain(9);
      await driver.remove(9);
    });

    it("reports a site's id when its containers change", async () => {
      const seen = new Set<number>();
      const unwatch = driver.watch((siteId) => seen.add(siteId));
      try {
        const site = await subject.site(10);
        await driver.apply(site);
        // An engine's event stream may connect after the first change: restart until one is heard.
        await pollUntil(
          async () => seen.has(10) || (await driver.apply(site, { restart: true }).then(() => seen.has(10))),
          Boolean,
          SLOW_MS / 2,
          1_000,
        );
        expect(seen).toContain(10);
      } finally {
        unwatch();
      }
      await driver.remove(10);
    });
  });
}

/** Polls until `check` passes or the time is up; resolves the last value either way (the test's expect judges it). */
async function pollUntil<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = SLOW_MS / 2, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!check(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await probe();
  }
  return last;
}
