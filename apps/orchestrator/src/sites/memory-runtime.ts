import { DaisError, SITE_CONTAINER_PORT } from '@dais/shared';
import type { RuntimeApplyOptions, RuntimeObservation, RuntimeSite, SiteRuntimeDriver } from './runtime-driver';
import { runtimeSpecHash } from './to-runtime-site';

/**
 * What a site's program does once started: answers on $PORT (after being seen `starting` by that
 * many observations), or exits with a code after printing something.
 */
export type SiteProgram = { kind: 'serves'; startingFor?: number } | { kind: 'exits'; exitCode: number; output: string };

/** Which real runtime the memory one behaves like where the two differ (runtime-driver.contract.ts). */
export type RuntimeFlavour = 'docker' | 'swarm';

/** A driver operation that {@link MemoryRuntime.failNext} can make fail. */
export type RuntimeOperation = 'apply' | 'remove' | 'observe' | 'managedSiteIds';

/** Crashes a real engine retries before it leaves a site crashed (container-spec.ts MAX_RESTARTS). */
const ENGINE_RETRIES = 3;

interface MemoryImage {
  id: string;
  hasCommand: boolean;
}

/** A site's containers (docker) or service (swarm) as the engine holds them. */
interface Deployment {
  specHash: string;
  imageId: string;
  image: string;
  /** 0: scaled to zero on purpose (swarm flavour only). */
  replicas: number;
  /** Observations left that still see the program starting. */
  startingLeft: number;
  crash: { exitCode: number; logTail: string | null } | null;
  restarts: number;
  startedAt: string;
  endpoints: string[];
}

/**
 * What several memory runtimes share, as several orchestrators share one Docker engine: images,
 * every owner's deployments, the clock and the addresses containers get.
 */
export class MemoryEngine {
  readonly images = new Map<string, MemoryImage>();
  readonly deployments = new Map<string, Deployment>();
  private counter = 0;

  constructor(images: Record<string, { hasCommand: boolean }> = { 'dais/busybox:latest': { hasCommand: true } }) {
    for (const [reference, image] of Object.entries(images)) this.addImage(reference, image);
  }

  /** Makes an image available under a reference (a pull or build). */
  addImage(reference: string, { hasCommand }: { hasCommand: boolean }): void {
    this.images.set(reference, { id: this.nextId('sha256:'), hasCommand });
  }

  /** Points a reference at another image with the same command (a rebuild or a new pull). */
  retag(reference: string): void {
    const image = this.images.get(reference);
    if (!image) throw new Error(`no image ${reference} to retag`);
    this.images.set(reference, { ...image, id: this.nextId('sha256:') });
  }

  /** A fresh container address on the sites network. */
  nextEndpoint(): string {
    const n = ++this.counter;
    return `10.88.${(n >> 8) & 255}.${n & 255}:${SITE_CONTAINER_PORT}`;
  }

  /** A moment strictly after every one handed out before, so a restart always changes `startedAt`. */
  nextMoment(): string {
    return new Date(Date.UTC(2026, 0, 1) + ++this.counter * 1000).toISOString();
  }

  private nextId(prefix: string): string {
    return `${prefix}${(++this.counter).toString(16).padStart(12, '0')}`;
  }
}

/**
 * A {@link SiteRuntimeDriver} that keeps containers in memory, for testing orchestrator logic
 * without Docker. It passes the same contract as the real drivers (runtime-driver.contract.ts);
 * where those differ it behaves like the one named by `flavour`: `docker` runs one container per
 * site and removes a stopped site's container, `swarm` runs `replicas` tasks and scales a stopped
 * site to zero. Tests steer it like a person at the engine would: {@link crash},
 * {@link removeByHand}, {@link MemoryEngine.retag}, and make calls fail with {@link failNext}.
 */
export class MemoryRuntime implements SiteRuntimeDriver {
  /** Every call made, in order, for tests that check what was applied when. */
  readonly calls: { operation: RuntimeOperation; siteId: number | null; restart?: boolean; running?: boolean }[] = [];
  private readonly programs = new Map<number, SiteProgram>();
  private readonly failures = new Map<RuntimeOperation, Error>();
  private readonly watchers = new Set<(siteId: number) => void>();
  private prepared = false;

  constructor(
    readonly engine = new MemoryEngine(),
    private readonly placement: { namePrefix: string; flavour: RuntimeFlavour } = { namePrefix: 'dais-site-', flavour: 'docker' },
  ) {}

  prepare(): Promise<void> {
    this.prepared = true;
    return Promise.resolve();
  }

  async apply(site: RuntimeSite, options: RuntimeApplyOptions = {}): Promise<void> {
    this.calls.push({ operation: 'apply', siteId: site.siteId, restart: options.restart ?? false, running: site.running });
    this.failIfAsked('apply');
    // The real drivers need their network (docker) or swarm check (swarm) first.
    if (!this.prepared) throw new DaisError('RUNTIME_FAILED', 'The runtime was not prepared.');
    await Promise.resolve();
    const existing = this.deployment(site.siteId);
    if (!site.running && this.placement.flavour === 'docker') {
      if (existing) this.drop(site.siteId);
      return;
    }
    const image = this.engine.images.get(site.image);
    if (!image) throw new DaisError('IMAGE_UNAVAILABLE', `The image ${site.image} is not on this host and could not be pulled.`);
    const replicas = !site.running ? 0 : this.placement.flavour === 'swarm' ? site.replicas : 1;
    const same =
      existing?.specHash === runtimeSpecHash(site) && existing.imageId === image.id && existing.replicas === replicas && !options.restart;
    if (same) return;
    if (site.running && site.command.kind === 'image' && !image.hasCommand) {
      throw new DaisError(
        'RUN_SCRIPT_MISSING',
        `The site has no run.sh and its image ${site.image} has no command of its own: add a run.sh to the site folder.`,
      );
    }
    this.engine.deployments.set(this.key(site.siteId), this.start(site, image.id, replicas));
    this.notify(site.siteId);
  }

  async remove(siteId: number): Promise<boolean> {
    this.calls.push({ operation: 'remove', siteId });
    this.failIfAsked('remove');
    await Promise.resolve();
    if (!this.deployment(siteId)) return false;
    this.drop(siteId);
    return true;
  }

  async observe(siteId: number): Promise<RuntimeObservation> {
    this.calls.push({ operation: 'observe', siteId });
    this.failIfAsked('observe');
    await Promise.resolve();
    const deployment = this.deployment(siteId);
    if (!deployment) return { state: 'missing', exitCode: null, restarts: 0, endpoints: [], image: null, startedAt: null, logTail: null };
    const base = { restarts: deployment.restarts, image: deployment.image, startedAt: deployment.startedAt, logTail: null };
    if (deployment.replicas === 0) return { ...base, state: 'stopped', exitCode: null, endpoints: [] };
    if (deployment.crash) {
      return { ...base, state: 'crashed', exitCode: deployment.crash.exitCode, endpoints: [], logTail: deployment.crash.logTail };
    }
    const starting = deployment.startingLeft > 0;
    if (starting) deployment.startingLeft--;
    return { ...base, state: starting ? 'starting' : 'running', exitCode: null, endpoints: [...deployment.endpoints] };
  }

  async managedSiteIds(): Promise<number[]> {
    this.calls.push({ operation: 'managedSiteIds', siteId: null });
    this.failIfAsked('managedSiteIds');
    await Promise.resolve();
    const prefix = `${this.placement.namePrefix}/`;
    return [...this.engine.deployments.keys()].filter((key) => key.startsWith(prefix)).map((key) => Number(key.slice(prefix.length)));
  }

  watch(onSiteChange: (siteId: number) => void): () => void {
    // A wrapper, so one callback watched twice is two watchers, as with two event streams.
    const watcher = (siteId: number) => onSiteChange(siteId);
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** How many watchers are registered (a stopped watcher must be gone). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  /** What the site's program does from its next start on (default: it serves at once). */
  setProgram(siteId: number, program: SiteProgram): void {
    this.programs.set(siteId, program);
  }

  /** The site's running containers exit on their own, as after an out-of-memory kill; the engine gives up on them. */
  crash(siteId: number, { exitCode = 137, output = null }: { exitCode?: number; output?: string | null } = {}): void {
    const deployment = this.deployment(siteId);
    if (!deployment || deployment.replicas === 0) throw new Error(`site ${siteId} has nothing running to crash`);
    deployment.crash = { exitCode, logTail: output };
    deployment.restarts = ENGINE_RETRIES;
    deployment.endpoints = [];
    this.notify(siteId);
  }

  /** The site's containers (or service) are removed behind Dais's back. */
  removeByHand(siteId: number): void {
    if (!this.deployment(siteId)) throw new Error(`site ${siteId} has no containers to remove`);
    this.drop(siteId);
  }

  /** Makes the next call of an operation fail with this error (a DaisError RUNTIME_FAILED by default). */
  failNext(
    operation: RuntimeOperation,
    error: Error = new DaisError('RUNTIME_FAILED', `Could not ${operation}: the engine said no.`),
  ): void {
    this.failures.set(operation, error);
  }

  /** The number of containers (tasks) running for the site now. */
  runningCount(siteId: number): number {
    const deployment = this.deployment(siteId);
    return deployment && !deployment.crash ? deployment.replicas : 0;
  }

  private start(site: RuntimeSite, imageId: string, replicas: number): Deployment {
    const program = this.programs.get(site.siteId) ?? { kind: 'serves' };
    const exited = program.kind === 'exits';
    return {
      specHash: runtimeSpecHash(site),
      imageId,
      image: site.image,
      replicas,
      startingLeft: program.kind === 'serves' ? (program.startingFor ?? 0) : 0,
      crash: exited ? { exitCode: program.exitCode, logTail: program.output || null } : null,
      restarts: exited ? ENGINE_RETRIES : 0,
      startedAt: this.engine.nextMoment(),
      endpoints: exited ? [] : Array.from({ length: replicas }, () => this.engine.nextEndpoint()),
    };
  }

  private deployment(siteId: number): Deployment | undefined {
    return this.engine.deployments.get(this.key(siteId));
  }

  private drop(siteId: number): void {
    this.engine.deployments.delete(this.key(siteId));
    this.notify(siteId);
  }

  private key(siteId: number): string {
    return `${this.placement.namePrefix}/${siteId}`;
  }

  private notify(siteId: number): void {
    for (const watcher of this.watchers) watcher(siteId);
  }

  private failIfAsked(operation: RuntimeOperation): void {
    const error = this.failures.get(operation);
    if (!error) return;
    this.failures.delete(operation);
    throw error;
  }
}
