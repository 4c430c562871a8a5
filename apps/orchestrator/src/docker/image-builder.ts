import { createHash } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import type Docker from 'dockerode';
import { DaisError, KeyedLock, type SiteImageBuild } from '@dais/shared';
import type { ContainmentConfig } from '../config/containment.config';
import { buildFenceChains, hostResolvers, IptablesFirewall, type Firewall } from '../firewall';
import { BuildQueue } from './build-queue';
import { BuildStepRunner } from './build-step';
import { createDockerClient, SITE_LABELS, siteResourceName } from './docker-client';
import { dockerfileOf, planSiteImage, runLine, type BuildStep, type SiteImagePlan } from './dockerfile.render';
import { ensureBaseImage, imageExists, removeLeftovers, removeOldImages } from './image-housekeeping';
import { ensureBuildNetwork } from './networks';

/** A site's image build, checked and planned, ready to run. */
export interface PreparedImageBuild {
  readonly siteId: number;
  readonly plan: SiteImagePlan;
  /** The plan as a Dockerfile (what the tag's hash covers). */
  readonly dockerfile: string;
  /** sha256 of the Dockerfile, hex. */
  readonly hash: string;
  /** `<prefix><site id>:<first 12 hex of hash>`: the same input always names the same image. */
  readonly tag: string;
}

/** The image a site can run now; `cached` when it had been built before. */
export interface ImageBuildResult {
  image: string;
  cached: boolean;
}

/** What a build tells its caller while it runs. */
export interface BuildReporter {
  /** A line of the build's output. */
  log(line: string): void;
  /** The build waits for a free slot on this host; `ahead` builds must finish first. */
  queued(ahead: number): void;
}

/** Builds sites' own images. The HTTP route talks to this, so tests of the route may use a fake. */
export interface ImageBuilder {
  /**
   * Checks and plans a build without touching Docker.
   * @throws DaisError with a 400-class code for input no image can satisfy.
   */
  prepare(build: SiteImageBuild): PreparedImageBuild;
  /**
   * Builds the image (or finds it built), reporting as it goes. A failure throws a coded
   * DaisError and leaves nothing behind: no new tag, no layer of the failed build, no container.
   */
  build(prepared: PreparedImageBuild, reporter: BuildReporter): Promise<ImageBuildResult>;
  /** Removes what an interrupted earlier run left (step containers, untagged layers). */
  sweepLeftovers(): Promise<void>;
}

/** The fence and limits of every build (`DAIS_BUILD_*`, docs/configuration.md). */
export type BuildSettings = ContainmentConfig['build'];

/** Settings of {@link DockerImageBuilder}. */
export interface DockerImageBuilderOptions {
  socketPath: string;
  /** Prefix of everything Dais names for sites (`DAIS_SITE_NAME_PREFIX`), also the owner label. */
  namePrefix: string;
  settings: BuildSettings;
  /** Built images kept per site, newest first (default 2); older ones no container uses are removed. */
  keepPerSite?: number;
  /** The packet filter the build fence is written to (default: this host's iptables). */
  firewall?: Firewall;
}

/** Label of a step's layer: which parent and command made it, so an identical step can reuse it. */
const STEP_LABEL = 'dais.build-step';

/** The tag of a site's image built from a Dockerfile with this sha256. */
export function siteImageTag(namePrefix: string, siteId: number, hash: string): string {
  return `${siteResourceName(namePrefix, siteId)}:${hash.slice(0, 12)}`;
}

/**
 * Builds a site's image on the local engine, step by step, each step in a fenced container
 * (build-step.ts), on the build network whose packet-filter fence this ensures before each build.
 * Builds of one site run one at a time (a retry waits for the first, then finds its image built);
 * builds of all sites share `concurrency` slots.
 */
export class DockerImageBuilder implements ImageBuilder {
  private readonly docker: Docker;
  private readonly lock = new KeyedLock<number>();
  private readonly active = new Map<number, number>();
  private readonly queue: BuildQueue;
  private readonly firewall: Firewall;

  constructor(private readonly options: DockerImageBuilderOptions) {
    this.docker = createDockerClient(options.socketPath);
    this.queue = new BuildQueue(options.settings.concurrency);
    this.firewall = options.firewall ?? new IptablesFirewall();
  }

  prepare(build: SiteImageBuild): PreparedImageBuild {
    const plan = planSiteImage(build);
    const dockerfile = dockerfileOf(plan);
    const hash = createHash('sha256').update(dockerfile).digest('hex');
    return { siteId: build.siteId, plan, dockerfile, hash, tag: siteImageTag(this.options.namePrefix, build.siteId, hash) };
  }

  async build(prepared: PreparedImageBuild, reporter: BuildReporter): Promise<ImageBuildResult> {
    const { siteId } = prepared;
    const running = this.active.get(siteId) ?? 0;
    if (running > 0) reporter.log(`Waiting for another build of this site to finish.`);
    this.active.set(siteId, running + 1);
    try {
      return await this.lock.run(siteId, () => this.buildNow(prepared, reporter));
    } finally {
      const left = (this.active.get(siteId) ?? 1) - 1;
      if (left > 0) this.active.set(siteId, left);
      else this.active.delete(siteId);
    }
  }

  sweepLeftovers(): Promise<void> {
    return removeLeftovers(this.docker, this.options.namePrefix);
  }

  private async buildNow(prepared: PreparedImageBuild, reporter: BuildReporter): Promise<ImageBuildResult> {
    if (await imageExists(this.docker, prepared.tag)) {
      reporter.log(`${prepared.tag} is already built for this configuration.`);
      return { image: prepared.tag, cached: true };
    }
    await ensureBaseImage(this.docker, prepared.plan.baseImage, (line) => reporter.log(line));
    await this.queue.run(
      () => this.runSteps(prepared, reporter),
      (ahead) => reporter.queued(ahead),
    );
    await removeOldImages(
      this.docker,
      { namePrefix: this.options.namePrefix, siteId: prepared.siteId, keep: prepared.tag, keepPerSite: this.options.keepPerSite ?? 2 },
      (line) => reporter.log(line),
    );
    return { image: prepared.tag, cached: false };
  }

  /** Runs the plan's steps on the fenced network, then tags the result; on any failure removes what it made. */
  private async runSteps(prepared: PreparedImageBuild, reporter: BuildReporter): Promise<void> {
    const { plan, siteId } = prepared;
    await this.ensureFence();
    const base = await this.docker.getImage(plan.baseImage).inspect();
    // The engine sends null for empty fields, whatever the typings say.
    const raw = base.Config as unknown as Record<string, unknown> & { Labels?: Record<string, string> | null };
    const baseConfig = restorableConfig(raw);
    const baseLabels = raw.Labels ?? {};
    const runner = this.runner(siteId);
    const deadline = Date.now() + this.options.settings.timeoutMs;
    const made: string[] = [];
    try {
      let parent = base.Id;
      for (const [index, step] of plan.steps.entries()) {
        reporter.log(`Step ${index + 1}/${plan.steps.length} : ${runLine(step.argv)}`);
        const key = stepKey(parent, step);
        const cached = await this.cachedStep(key);
        if (cached) reporter.log(' ---> Using cache');
        const result = cached
          ? { ok: true as const, image: cached }
          : await runner.run(
              {
                siteId,
                parent,
                argv: step.argv,
                user: baseConfig.User as string,
                config: { ...baseConfig, Labels: { ...baseLabels, [STEP_LABEL]: key } },
                deadline,
              },
              (line) => reporter.log(line),
            );
        if (!result.ok) throw buildFailure(`step ${index + 1}/${plan.steps.length} ${result.reason}`, prepared.tag);
        if (!cached) made.push(result.image);
        parent = result.image;
      }
      const labels = {
        ...baseLabels,
        ...plan.labels,
        [SITE_LABELS.managedBy]: this.options.namePrefix,
        [SITE_LABELS.specHash]: prepared.hash,
      };
      const [repo, tag] = splitTag(prepared.tag);
      await runner.commitImage(siteId, parent, { ...baseConfig, Labels: labels }, { repo, tag });
    } catch (error) {
      await this.removeImages(made);
      throw error;
    }
    reporter.log(`Successfully tagged ${prepared.tag}`);
  }

  /** The build network and its packet-filter fence, written again before every build (a reboot clears it). */
  private async ensureFence(): Promise<void> {
    const { settings } = this.options;
    await assertBuildTools(settings);
    const bridge = await ensureBuildNetwork(this.docker, settings.network);
    await this.firewall.apply(buildFenceChains({ bridge, blockedNetworks: settings.blockedNetworks, dnsServers: await hostResolvers() }));
  }

  private runner(siteId: number): BuildStepRunner {
    const { settings, namePrefix } = this.options;
    return new BuildStepRunner(this.docker, {
      namePrefix,
      labels: { [SITE_LABELS.managedBy]: namePrefix, [SITE_LABELS.siteId]: String(siteId) },
      network: settings.network,
      memoryBytes: settings.memoryMb * 1024 * 1024,
      nanoCpus: Math.round(settings.cpus * 1e9),
      pids: settings.pids,
      timeoutMs: settings.timeoutMs,
      busybox: settings.busybox,
      init: settings.init,
    });
  }

  /** A layer an identical earlier step made (same parent, same command), if one is still here. */
  private async cachedStep(key: string): Promise<string | null> {
    const images = await this.docker.listImages({
      all: true,
      filters: { label: [`${STEP_LABEL}=${key}`, `${SITE_LABELS.managedBy}=${this.options.namePrefix}`] },
    });
    // A final image carries its last step's label too; only a plain step layer is reused.
    return images.find((image) => !(image.Labels as Record<string, string> | null)?.[SITE_LABELS.specHash])?.Id ?? null;
  }

  /** Removes this build's own layers, newest first; a layer another build now uses stays. */
  private async removeImages(images: string[]): Promise<void> {
    for (const image of [...images].reverse())
      await this.docker
        .getImage(image)
        .remove({ noprune: true })
        .catch(() => undefined);
  }
}

function buildFailure(reason: string, image: string): DaisError {
  return new DaisError(
    'IMAGE_BUILD_FAILED',
    `Building the image failed: ${reason}. The site keeps its current image; fix the packages or setup commands and build again.`,
    { image },
  );
}

/** The engine mounts the step tools from this host: say which is missing rather than relay a mount error. */
async function assertBuildTools(settings: BuildSettings): Promise<void> {
  for (const [path, key, source] of [
    [settings.busybox, 'DAIS_BUILD_BUSYBOX', 'busybox-static'],
    [settings.init, 'DAIS_BUILD_INIT', 'docker.io'],
  ] as const) {
    if (
      !(await access(path, constants.X_OK).then(
        () => true,
        () => false,
      ))
    ) {
      throw new DaisError(
        'RUNTIME_FAILED',
        `Image builds need ${path} on this host (apt install ${source}, or point ${key} at it); no build runs without it.`,
      );
    }
  }
}

/** The parent and command of a step, and for a package-list refresh the day (see BuildStep). */
function stepKey(parent: string, step: BuildStep): string {
  const day = step.refreshesDaily ? new Date().toISOString().slice(0, 10) : '';
  return createHash('sha256')
    .update(JSON.stringify([parent, step.argv, day]))
    .digest('hex');
}

/** The parts of an image's config a step must hand on unchanged (a `RUN` changes none of them). */
function restorableConfig(config: Record<string, unknown>): Record<string, unknown> {
  const keys = [
    'User',
    'ExposedPorts',
    'Env',
    'Cmd',
    'Healthcheck',
    'ArgsEscaped',
    'Volumes',
    'WorkingDir',
    'OnBuild',
    'StopSignal',
    'StopTimeout',
    'Shell',
  ];
  const restored = Object.fromEntries(keys.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]));
  // An explicit empty entrypoint: left null, the engine would keep the step container's own.
  return { ...restored, User: typeof config.User === 'string' ? config.User : '', Entrypoint: config.Entrypoint ?? [] };
}

function splitTag(reference: string): [string, string] {
  const at = reference.lastIndexOf(':');
  return [reference.slice(0, at), reference.slice(at + 1)];
}
