import { isDaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { MemoryEngine, MemoryRuntime, type RuntimeFlavour } from './memory-runtime';
import type { RuntimeSite } from './runtime-driver';
import { runtimeDriverContract, type RuntimeDriverSubject } from './runtime-driver.contract';
import { RUN_SH_COMMAND } from './to-runtime-site';

/** A runnable site for the memory engine (its default image has a command). */
function memorySite(siteId: number, changes: Partial<RuntimeSite> = {}): RuntimeSite {
  return {
    siteId,
    name: `site${siteId}`,
    image: 'dais/busybox:latest',
    command: RUN_SH_COMMAND,
    env: { PORT: '8080' },
    limits: { memoryMb: 64, cpus: 0.5, pids: 64 },
    replicas: 1,
    running: true,
    siteDir: `/data/sites/${siteId}`,
    uid: 200_000 + siteId,
    ...changes,
  };
}

function memorySubject(flavour: RuntimeFlavour): RuntimeDriverSubject {
  const engine = new MemoryEngine();
  const drivers: MemoryRuntime[] = [];
  return {
    traits: flavour === 'docker' ? { stoppedSite: 'removed', replicas: 'one' } : { stoppedSite: 'scaled-to-zero', replicas: 'as-asked' },
    async newDriver() {
      const driver = new MemoryRuntime(engine, { namePrefix: `owner${drivers.length}-`, flavour });
      await driver.prepare();
      drivers.push(driver);
      return driver;
    },
    site: (siteId, changes) => Promise.resolve(memorySite(siteId, changes)),
    setProgram(site, program) {
      for (const driver of drivers) driver.setProgram(site.siteId, program);
      return Promise.resolve();
    },
    imageWithoutCommand() {
      engine.addImage('no-command:1', { hasCommand: false });
      return Promise.resolve('no-command:1');
    },
    ownImage() {
      engine.addImage('own:1', { hasCommand: true });
      const repoint = () => {
        engine.retag('own:1');
        return Promise.resolve();
      };
      return Promise.resolve({ reference: 'own:1', repoint });
    },
    dispose: () => Promise.resolve(),
  };
}

runtimeDriverContract('memory (like docker)', () => Promise.resolve(memorySubject('docker')));
runtimeDriverContract('memory (like swarm)', () => Promise.resolve(memorySubject('swarm')));

describe('the memory runtime, steered like an engine by hand', () => {
  const prepared = async (flavour: RuntimeFlavour = 'docker') => {
    const runtime = new MemoryRuntime(new MemoryEngine(), { namePrefix: 'dais-site-', flavour });
    await runtime.prepare();
    return runtime;
  };

  it('refuses to apply before it is prepared, as the real drivers lack their network', async () => {
    const runtime = new MemoryRuntime();
    const refusal = await runtime.apply(memorySite(1)).catch((error: unknown) => error);
    expect(isDaisError(refusal, 'RUNTIME_FAILED')).toBe(true);
  });

  it('crashes a running site on request: no endpoints, the exit code and output, and tells its watchers', async () => {
    const runtime = await prepared();
    await runtime.apply(memorySite(1));
    const heard: number[] = [];
    runtime.watch((siteId) => heard.push(siteId));
    runtime.crash(1, { exitCode: 137, output: 'Killed' });
    expect(await runtime.observe(1)).toMatchObject({ state: 'crashed', exitCode: 137, endpoints: [], logTail: 'Killed', restarts: 3 });
    expect(heard).toEqual([1]);
    expect(runtime.runningCount(1)).toBe(0);
  });

  it('loses a site removed by hand until the next apply brings it back', async () => {
    const runtime = await prepared();
    await runtime.apply(memorySite(1));
    runtime.removeByHand(1);
    expect((await runtime.observe(1)).state).toBe('missing');
    await runtime.apply(memorySite(1));
    expect((await runtime.observe(1)).state).toBe('running');
  });

  it('fails the next call of an operation once, as asked', async () => {
    const runtime = await prepared();
    runtime.failNext('apply');
    await expect(runtime.apply(memorySite(1))).rejects.toThrow(/engine said no/);
    await runtime.apply(memorySite(1));
    expect(runtime.runningCount(1)).toBe(1);
  });

  it('shows a slow program starting (with its endpoint) for as many observations as asked', async () => {
    const runtime = await prepared();
    runtime.setProgram(1, { kind: 'serves', startingFor: 2 });
    await runtime.apply(memorySite(1));
    const states = [];
    for (let i = 0; i < 3; i++) states.push(await runtime.observe(1));
    expect(states.map((observed) => observed.state)).toEqual(['starting', 'starting', 'running']);
    expect(states[0]?.endpoints).toEqual(states[2]?.endpoints);
  });

  it('records every call in order', async () => {
    const runtime = await prepared('swarm');
    await runtime.apply(memorySite(1, { running: false }));
    await runtime.remove(1);
    expect(runtime.calls).toEqual([
      { operation: 'apply', siteId: 1, restart: false, running: false },
      { operation: 'remove', siteId: 1 },
    ]);
  });
});
