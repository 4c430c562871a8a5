import { DaisError } from '@dais/shared';
import type { ConfigFiles, GenerationStore } from './generation-store';
import { NginxTestFailure, type NginxInstance } from './nginx-instance';
import type { StatusProbe } from './status-probe';
import { NginxRenderError } from './values';

/** Parts and limits of a {@link NginxConfigPipeline}. */
export interface NginxConfigPipelineOptions {
  instance: NginxInstance;
  store: GenerationStore;
  probe: StatusProbe;
  /** Generations kept on disk, the live one included (default 3). */
  keepGenerations?: number;
  /** How long nginx may take to serve a new generation after a reload (default 15 s). */
  reloadTimeoutMs?: number;
}

/** Renders a complete configuration for the given generation number. */
export type ConfigRenderer = (generation: number) => ConfigFiles;

/**
 * Applies configurations as transactions: stage → `nginx -t` → atomic switch → reload → probe
 * until the new generation answers and the old workers have retired. On any failure the last good generation stays or is put
 * back, and the caller gets a coded error. Applies run one at a time.
 */
export class NginxConfigPipeline {
  private lastGeneration: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NginxConfigPipelineOptions) {}

  /** The generation nginx was last confirmed serving, or null before the first apply. */
  get liveGeneration(): number | null {
    return this.lastGeneration;
  }

  /**
   * Why the live configuration can no longer be trusted (files edited or deleted by hand, nginx not
   * running, or serving another generation), or an empty list when all is well.
   */
  async liveProblems(): Promise<string[]> {
    const problems = await this.options.store.liveProblems();
    if ((await this.options.instance.runningPid()) === null) problems.push('nginx is not running');
    else if (this.lastGeneration !== null && (await this.options.probe.servedGeneration()) !== this.lastGeneration) {
      problems.push(`nginx is not serving generation ${this.lastGeneration}`);
    }
    return problems;
  }

  /**
   * Runs `nginx -t` on a configuration that will not go live (e.g. one site's snippet on its own),
   * throwing NGINX_CONFIG_REJECTED with nginx's message if it is refused. `what` names the culprit.
   */
  async test(render: () => ConfigFiles, what: string): Promise<void> {
    let scratch: Awaited<ReturnType<GenerationStore['stageScratch']>> | undefined;
    let files: ConfigFiles = {};
    try {
      files = render();
      scratch = await this.options.store.stageScratch(files);
      await this.options.instance.test(scratch.confFile);
    } catch (error) {
      const rejected = rejection(error, scratch?.dir ?? '', files);
      const reason = rejected.message.replace(/^nginx refused the new configuration: |^The configuration could not be rendered: /, '');
      throw new DaisError('NGINX_CONFIG_REJECTED', `${what} was refused by nginx: ${reason}`, rejected.details);
    } finally {
      await scratch?.remove();
    }
  }

  /** Applies a rendered configuration; resolves with its generation once nginx serves it. */
  apply(render: ConfigRenderer): Promise<number> {
    const result = this.queue.then(() => this.applyNow(render));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async applyNow(render: ConfigRenderer): Promise<number> {
    const { store, instance, probe } = this.options;
    const generation = Math.max(this.lastGeneration ?? 0, await store.highestGeneration()) + 1;
    let confFile: string;
    let files: ConfigFiles = {};
    try {
      files = render(generation);
      confFile = await store.stage(generation, files);
      await instance.test(confFile);
    } catch (error) {
      await store.discard(generation);
      throw rejection(error, store.dirOf(generation), files);
    }
    const previous = await store.liveGeneration();
    const wasRunning = (await instance.runningPid()) !== null;
    await store.activate(generation);
    const timeout = this.options.reloadTimeoutMs ?? 15_000;
    const logOffset = await instance.errorLogSize();
    const oldWorkers = await instance.workerPids();
    try {
      await instance.reload();
      const served = await probe.waitFor(generation, timeout, () => instance.emergencySince(logOffset));
      if (!served.ok) throw new Error(served.reason);
      // Only once the old workers stop accepting does every new request see the new config.
      await instance.waitForRetirement(oldWorkers, timeout);
    } catch (error) {
      await this.restore(previous, wasRunning, timeout);
      await store.discard(generation);
      const what = wasRunning ? 'nginx could not load the new configuration; the previous one is still serving.' : 'nginx could not start.';
      throw new DaisError('NGINX_RELOAD_FAILED', `${what} ${describe(error)}`, { nginxOutput: describe(error) }, { cause: error });
    }
    this.lastGeneration = generation;
    await store.prune(this.options.keepGenerations ?? 3);
    return generation;
  }

  /** Points `live` back at the last good generation and, if nginx was serving, makes it serve that again. */
  private async restore(previous: number | null, wasRunning: boolean, timeout: number): Promise<void> {
    if (previous === null) return;
    await this.options.store.activate(previous);
    if (!wasRunning) return;
    await this.options.instance.reload().catch(() => undefined);
    await this.options.probe.waitFor(previous, timeout);
  }
}

/**
 * The line nginx names in its refusal (`… in site-kinds.map:12`), with its text from the rendered
 * files, so a caller can tell which site's value it holds. Absent for errors without a line, such
 * as a hash that cannot be built.
 */
export interface RefusedLine {
  file: string;
  line: number;
  text: string;
}

function rejection(error: unknown, generationDir: string, files: ConfigFiles): DaisError {
  if (error instanceof NginxTestFailure) {
    const output = error.output.split(`${generationDir}/`).join('');
    const at = / in ([\w.-]+):(\d+)/.exec(output);
    const file = at?.[1] ?? '';
    const line = Number(at?.[2] ?? 0);
    const text = files[file]?.split('\n')[line - 1];
    const refusedLine: RefusedLine | undefined = text === undefined ? undefined : { file, line, text };
    return new DaisError('NGINX_CONFIG_REJECTED', `nginx refused the new configuration: ${output}`, {
      nginxOutput: output,
      ...(refusedLine ? { refusedLine } : {}),
    });
  }
  if (error instanceof NginxRenderError) {
    return new DaisError('NGINX_CONFIG_REJECTED', `The configuration could not be rendered: ${error.message}`);
  }
  return error instanceof DaisError
    ? error
    : new DaisError('FILESYSTEM_ERROR', `Could not stage the nginx configuration: ${describe(error)}`, undefined, { cause: error });
}

function describe(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  // nginx repeats a failed bind five times; once is enough to read.
  if (typeof stderr === 'string' && stderr.trim()) return [...new Set(stderr.trim().split('\n'))].join('\n');
  return error instanceof Error ? error.message : String(error);
}
