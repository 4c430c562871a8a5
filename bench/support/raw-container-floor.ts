import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { SITE_CONTAINER_PORT, type SiteSpec } from '@dais/shared';
import { containerCreateOptions } from '../../apps/orchestrator/src/docker/container-spec';
import { DOCKER_API_VERSION } from '../../apps/orchestrator/src/docker/docker-client';
import { renderSitesConfig } from '../../apps/orchestrator/src/nginx/sites-config.render';
import { toRuntimeSite } from '../../apps/orchestrator/src/sites/to-runtime-site';
import { freePorts } from '../../test/support/ports';
import { timeUntilLive } from './poll';
import { TimedNginxTier } from './timed-nginx-tier';

/** Where the floor runs: its own folder, the orchestrator's network, names nobody else uses. */
export interface FloorOptions {
  dir: string;
  network: string;
  /** Prefix of the floor's container names and its `dais.managed-by` label. */
  namePrefix: string;
  uidBase: number;
}

/** One floor sample: the raw steps and when the first 200 came. */
export interface FloorSample {
  createMs: number;
  startMs: number;
  /** Inspect for the address, then one apply through the nginx pipeline. */
  routeMs: number;
  firstOkMs: number;
}

/**
 * The floor a dynamic site's create → first 200 is compared with: the same hardened container
 * (same create options as the orchestrator's docker runtime) created and started with raw
 * dockerode calls, then one apply of a config routing to it through the same nginx pipeline,
 * polled until it answers 200. No files step, no waiting for the port, no API.
 */
export class RawContainerFloor {
  private readonly docker = new Docker({ socketPath: '/var/run/docker.sock', version: DOCKER_API_VERSION });
  private readonly endpoints = new Map<number, string[]>();
  private tier: TimedNginxTier | undefined;
  private sitesPort = 0;
  /** The create in progress, so {@link destroy} can wait for it instead of missing its container. */
  private inFlight: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(private readonly options: FloorOptions) {}

  /** Starts the floor's own nginx, empty. */
  async start(): Promise<void> {
    const [sitesPort, statusPort] = await freePorts(2);
    this.sitesPort = sitesPort!;
    const prefix = join(this.options.dir, 'nginx');
    this.tier = new TimedNginxTier({
      prefix,
      stateDir: join(this.options.dir, 'state'),
      statusPort: statusPort!,
      render: (state, generation) =>
        renderSitesConfig({
          prefix,
          generation,
          statusPort: statusPort!,
          listen: { host: '127.0.0.1', port: this.sitesPort },
          sitesRoot: join(this.options.dir, 'sites'),
          publicDirOf: (siteId) => join(this.siteDir(siteId), 'public'),
          endpointsOf: (siteId) => this.endpoints.get(siteId) ?? [],
          sites: state.values(),
        }),
    });
    await this.tier.start(new Map());
  }

  /** Writes the site's folder (not timed: the floor starts with the files in place). */
  async prepare(spec: SiteSpec): Promise<void> {
    const dir = this.siteDir(spec.id);
    await mkdir(join(dir, 'public'), { recursive: true });
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'public', 'index.html'), `floor ${spec.id}\n`, { mode: 0o644 });
    await writeFile(join(dir, 'run.sh'), spec.runtime?.runScript ?? '', { mode: 0o755 });
  }

  /** Creates, starts and routes the site's container; resolves at its first 200 through nginx. */
  async createAndServe(spec: SiteSpec): Promise<FloorSample> {
    const tier = this.tier;
    if (!tier) throw new Error('RawContainerFloor.start() has not completed');
    if (this.destroyed) throw new Error('the floor was destroyed');
    const site = toRuntimeSite(spec, { siteDir: this.siteDir(spec.id), uid: this.options.uidBase + spec.id, hasRunScript: true });
    const placement = { namePrefix: this.options.namePrefix, network: this.options.network };
    const marks: number[] = [];
    const steps = async () => {
      marks.push(performance.now());
      const container = await this.docker.createContainer(containerCreateOptions(site, placement));
      marks.push(performance.now());
      await container.start();
      marks.push(performance.now());
      const address = (await container.inspect()).NetworkSettings.Networks[this.options.network]?.IPAddress;
      if (!address) throw new Error(`floor container of site ${spec.id} has no address on ${this.options.network}`);
      this.endpoints.set(spec.id, [`${address}:${SITE_CONTAINER_PORT}`]);
      await tier.table.set(spec.id, spec);
      marks.push(performance.now());
    };
    const timing = await timeUntilLive(
      () => {
        const running = steps();
        this.inFlight = running.catch(() => undefined);
        return running;
      },
      { port: this.sitesPort, host: spec.hostnames[0]!, check: (answer) => answer.status === 200, timeoutMs: 30_000, overlapping: true },
    );
    const [begun = 0, created = 0, started = 0, routed = 0] = marks;
    return { createMs: created - begun, startMs: started - created, routeMs: routed - started, firstOkMs: timing.liveMs };
  }

  /** Stops the floor's nginx and removes its containers. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    await this.inFlight;
    await this.tier?.stop();
    const label = `dais.managed-by=${this.options.namePrefix}`;
    for (const container of await this.docker.listContainers({ all: true, filters: { label: [label] } })) {
      await this.docker
        .getContainer(container.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }

  private siteDir(siteId: number): string {
    return join(this.options.dir, 'sites', String(siteId));
  }
}
