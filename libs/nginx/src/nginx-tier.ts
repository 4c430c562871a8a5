import { join } from 'node:path';
import type { z } from 'zod';
import { NginxConfigPipeline } from './config-pipeline';
import { DesiredStateTable } from './desired-state-table';
import { GenerationStore, type ConfigFiles } from './generation-store';
import { JsonStateStore, type UnreadableEntry } from './json-state-store';
import { NginxInstance } from './nginx-instance';
import { StatusProbe } from './status-probe';

/** What a tier (orchestrator or router) supplies to run its nginx from desired state. */
export interface NginxTierOptions<S extends z.ZodType> {
  nginx: { binary: string; prefix: string; statusPort: number };
  /** Folder where each key's desired state is kept as JSON. */
  stateDir: string;
  /** Contract every stored entry must satisfy when read back. */
  schema: S;
  render(state: ReadonlyMap<number, z.output<S>>, generation: number): ConfigFiles;
  validate?(key: number, value: z.output<S>, state: ReadonlyMap<number, z.output<S>>): void;
  /** The error a refused change is rejected with (see `DesiredStateTableOptions.explainRefusal`). */
  explainRefusal?(key: number, value: z.output<S> | null, previous: z.output<S> | undefined, error: unknown): unknown;
}

/**
 * One nginx instance driven by a durable desired-state table: on start it reads the saved state,
 * applies it (starting nginx or adopting one left running) and from then on applies changes.
 */
export class NginxTier<S extends z.ZodType> {
  readonly instance: NginxInstance;
  private readonly pipeline: NginxConfigPipeline;
  private readonly store: JsonStateStore<S>;
  private loaded: DesiredStateTable<z.output<S>> | undefined;

  constructor(private readonly options: NginxTierOptions<S>) {
    const generations = new GenerationStore(join(options.nginx.prefix, 'conf'));
    this.instance = new NginxInstance({
      binary: options.nginx.binary,
      prefix: options.nginx.prefix,
      liveConfFile: generations.liveConfFile,
    });
    this.pipeline = new NginxConfigPipeline({
      instance: this.instance,
      store: generations,
      probe: new StatusProbe(options.nginx.statusPort),
    });
    this.store = new JsonStateStore(options.stateDir, options.schema);
  }

  /** The desired-state table; available once {@link start} has resolved. */
  get table(): DesiredStateTable<z.output<S>> {
    if (!this.loaded) throw new Error('NginxTier.start() has not completed');
    return this.loaded;
  }

  /**
   * Loads saved state and makes nginx serve it; returns entries that could not be read.
   * `beforeFirstRender` learns what the render needs beside the state (an adopted nginx keeps
   * serving until then, so what it renders first must already be right).
   */
  async start(beforeFirstRender?: (state: ReadonlyMap<number, z.output<S>>) => Promise<void>): Promise<UnreadableEntry[]> {
    const { entries, unreadable } = await this.store.loadAll();
    await beforeFirstRender?.(entries);
    this.loaded = new DesiredStateTable<z.output<S>>(entries, {
      apply: (state) => this.pipeline.apply((generation) => this.options.render(state, generation)),
      validate: (key, value, state) => this.options.validate?.(key, value, state),
      persist: (changes) => this.store.persist(changes),
      persistAll: (state) => this.store.replaceAll(state),
      explainRefusal: (key, value, previous, error) => this.options.explainRefusal?.(key, value, previous, error) ?? error,
    });
    await this.loaded.reapply();
    return unreadable;
  }

  /** `nginx -t` on a configuration that will not go live; see {@link NginxConfigPipeline.test}. */
  testConfig(render: () => ConfigFiles, what: string): Promise<void> {
    return this.pipeline.test(render, what);
  }

  /** Re-applies the state if the live nginx config was changed by hand or nginx stopped; returns what was wrong. */
  async repairDrift(): Promise<string[]> {
    const problems = await this.pipeline.liveProblems();
    if (problems.length > 0) await this.table.reapply();
    return problems;
  }

  /** Stops nginx (used when the component owns its nginx's lifetime, as in development). */
  async stopNginx(): Promise<void> {
    await this.instance.stop();
  }
}
