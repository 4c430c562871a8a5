import { join } from 'node:path';
import { siteSpecSchema, type SiteSpec } from '@dais/shared';
import {
  assertNoHostnameConflict,
  DesiredStateTable,
  GenerationStore,
  JsonStateStore,
  NginxConfigPipeline,
  NginxInstance,
  StatusProbe,
  type ConfigFiles,
  type NginxInstanceOptions,
} from '@dais/nginx';

/** Adds up how long each phase of an apply took, between two {@link PhaseClock.take} calls. */
export class PhaseClock {
  private phases = new Map<string, number>();

  /** Runs `work`, adding its duration to `phase`. */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.phases.set(phase, (this.phases.get(phase) ?? 0) + performance.now() - started);
    }
  }

  /** Adds a duration measured elsewhere. */
  add(phase: string, ms: number): void {
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + ms);
  }

  /** The phases since the last call, in milliseconds; starts a new tally. */
  take(): Map<string, number> {
    const phases = this.phases;
    this.phases = new Map();
    return phases;
  }
}

/** The real NginxInstance, timing `nginx -t`, the reload signal and the old workers' retirement. */
class TimedNginxInstance extends NginxInstance {
  constructor(
    options: NginxInstanceOptions,
    private readonly clock: PhaseClock,
  ) {
    super(options);
  }

  private starting: Promise<void> | undefined;
  private closed = false;

  /**
   * Starts the master, remembering the start so a cleanup can wait for it; refuses once closed,
   * so work still running after a Ctrl-C cleanup cannot start an nginx nobody will stop.
   */
  override start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('this nginx instance was stopped for good'));
    this.starting = super.start();
    return this.starting;
  }

  /** From now on {@link start} refuses. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once no start is in progress. */
  async startSettled(): Promise<void> {
    await this.starting?.catch(() => undefined);
  }

  override test(confFile: string): Promise<void> {
    return this.clock.time('nginx -t', () => super.test(confFile));
  }

  override waitForRetirement(pids: readonly number[], timeoutMs: number): Promise<boolean> {
    return this.clock.time('old workers stop accepting', () => super.waitForRetirement(pids, timeoutMs));
  }
}

/** The real GenerationStore, timing how long writing a generation's files takes. */
class TimedGenerationStore extends GenerationStore {
  constructor(
    root: string,
    private readonly clock: PhaseClock,
  ) {
    super(root);
  }

  override stage(generation: number, files: ConfigFiles): Promise<string> {
    return this.clock.time('stage files', () => super.stage(generation, files));
  }

  override prune(keep: number): Promise<void> {
    return this.clock.time('prune generations', () => super.prune(keep));
  }
}

/** The real StatusProbe, timing SIGHUP → the new generation answering. */
class TimedStatusProbe extends StatusProbe {
  constructor(
    port: number,
    private readonly clock: PhaseClock,
  ) {
    super(port);
  }

  override waitFor(generation: number, timeoutMs: number, failureCheck?: () => Promise<string | null>): ReturnType<StatusProbe['waitFor']> {
    return this.clock.time('reload until new generation answers', () => super.waitFor(generation, timeoutMs, failureCheck));
  }
}

/** Where a {@link TimedNginxTier} lives and what it renders. */
export interface TimedNginxTierOptions {
  prefix: string;
  stateDir: string;
  statusPort: number;
  render(state: ReadonlyMap<number, SiteSpec>, generation: number): ConfigFiles;
}

/** How long bringing up the initial state took. */
export interface InitialApply {
  /** Writing every site's JSON state file (what the tier keeps across restarts). */
  persistMs: number;
  /** Reading and validating them back, as a restarting tier does. */
  loadMs: number;
  /** The first apply: render, stage, `nginx -t`, start nginx, probe. */
  applyMs: number;
}

/**
 * The same wiring as `NginxTier` from libs/nginx (GenerationStore → NginxInstance → StatusProbe →
 * NginxConfigPipeline, a DesiredStateTable with the hostname-conflict guard, JsonStateStore
 * persistence), built from the real classes with timers around each phase. `NginxTier` builds
 * its parts privately, so it cannot be timed from outside.
 */
export class TimedNginxTier {
  readonly clock = new PhaseClock();
  private readonly instance: TimedNginxInstance;
  private readonly pipeline: NginxConfigPipeline;
  private readonly store: JsonStateStore<typeof siteSpecSchema>;
  private loaded: DesiredStateTable<SiteSpec> | undefined;

  constructor(private readonly options: TimedNginxTierOptions) {
    const generations = new TimedGenerationStore(join(options.prefix, 'conf'), this.clock);
    this.instance = new TimedNginxInstance({ binary: 'nginx', prefix: options.prefix, liveConfFile: generations.liveConfFile }, this.clock);
    this.pipeline = new NginxConfigPipeline({
      instance: this.instance,
      store: generations,
      probe: new TimedStatusProbe(options.statusPort, this.clock),
    });
    this.store = new JsonStateStore(options.stateDir, siteSpecSchema);
  }

  /** The desired-state table; available once {@link start} has resolved. */
  get table(): DesiredStateTable<SiteSpec> {
    if (!this.loaded) throw new Error('TimedNginxTier.start() has not completed');
    return this.loaded;
  }

  /** Saves the initial state in one go, then starts as NginxTier does: load it back and apply it. */
  async start(initial: ReadonlyMap<number, SiteSpec>): Promise<InitialApply> {
    let started = performance.now();
    await this.store.persist(initial);
    const persistMs = performance.now() - started;
    started = performance.now();
    const { entries, unreadable } = await this.store.loadAll();
    const loadMs = performance.now() - started;
    if (unreadable.length > 0) throw new Error(`unreadable site specs: ${JSON.stringify(unreadable.slice(0, 3))}`);
    this.loaded = new DesiredStateTable<SiteSpec>(entries, {
      apply: (state) =>
        this.pipeline.apply((generation) => {
          const renderStarted = performance.now();
          const files = this.options.render(state, generation);
          this.clock.add('render', performance.now() - renderStarted);
          return files;
        }),
      validate: assertNoHostnameConflict,
      persist: (changes) => this.clock.time('persist state', () => this.store.persist(changes)),
    });
    started = performance.now();
    await this.loaded.reapply();
    const applyMs = performance.now() - started;
    this.clock.take();
    return { persistMs, loadMs, applyMs };
  }

  /** The running master's pid. */
  async masterPid(): Promise<number> {
    const pid = await this.instance.runningPid();
    if (pid === null) throw new Error('nginx is not running');
    return pid;
  }

  /** Stops nginx for good, also one whose start is still in progress. */
  async stop(): Promise<void> {
    this.instance.close();
    await this.instance.startSettled();
    await this.instance.stop();
  }
}
