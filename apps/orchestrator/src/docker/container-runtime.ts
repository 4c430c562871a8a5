import type Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import { DaisError, SITE_CONTAINER_PORT } from '@dais/shared';
import { containerFenceChains, IptablesFirewall, type Firewall } from '../firewall';
import { runtimeSpecHash } from '../sites/to-runtime-site';
import type { RuntimeApplyOptions, RuntimeObservation, RuntimeSite, SiteRuntimeDriver } from '../sites/runtime-driver';
import { containerCreateOptions, STOP_GRACE_SECONDS, type RuntimePlacement } from './container-spec';
import { SITE_LABELS, siteResourceName } from './docker-client';
import { assertHasCommand, dockerFailure, isNotFound, logTail, tcpAnswers, watchEvents, withDefaultTag } from './docker-util';
import { networkBridge } from './networks';

/**
 * The `docker` runtime: one plain container per site on this host, on a bridge network where
 * sites cannot reach each other (inter-container traffic off) but this host's nginx reaches them,
 * and nothing from elsewhere does (containerFenceChains).
 */
export class ContainerRuntime implements SiteRuntimeDriver {
  constructor(
    private readonly docker: Docker,
    private readonly placement: RuntimePlacement,
    private readonly firewall: Firewall = new IptablesFirewall(),
  ) {}

  /** The sites network (inter-container traffic off), and the packet-filter fence around its bridge. */
  async prepare(): Promise<void> {
    const networks = await this.docker.listNetworks({ filters: { name: [this.placement.network] } }).catch((error: unknown) => {
      throw dockerFailure('reach the Docker engine', error);
    });
    if (!networks.some((network) => network.Name === this.placement.network)) {
      await this.docker.createNetwork({
        Name: this.placement.network,
        Driver: 'bridge',
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
        Labels: { [SITE_LABELS.managedBy]: this.placement.namePrefix },
      });
    }
    await this.firewall.apply(containerFenceChains(await networkBridge(this.docker, this.placement.network)));
  }

  async apply(site: RuntimeSite, options: RuntimeApplyOptions = {}): Promise<void> {
    const existing = await this.inspect(site.siteId);
    if (!site.running) {
      if (existing) await this.removeContainer(site.siteId);
      return;
    }
    const imageId = await this.imageId(site.image);
    if (existing && existing.Config.Labels[SITE_LABELS.specHash] === runtimeSpecHash(site) && existing.Image === imageId) {
      if (options.restart) await this.docker.getContainer(existing.Id).restart({ t: STOP_GRACE_SECONDS });
      return;
    }
    await assertHasCommand(this.docker, site.image, site.command);
    if (existing) await this.removeContainer(site.siteId);
    const container = await this.docker.createContainer(containerCreateOptions(site, this.placement)).catch((error: unknown) => {
      throw dockerFailure(`create the container of site ${site.siteId}`, error);
    });
    await container.start();
  }

  async remove(siteId: number): Promise<boolean> {
    if (!(await this.inspect(siteId))) return false;
    await this.removeContainer(siteId);
    return true;
  }

  async observe(siteId: number): Promise<RuntimeObservation> {
    const info = await this.inspect(siteId);
    if (!info) return { state: 'missing', exitCode: null, restarts: 0, endpoints: [], image: null, startedAt: null, logTail: null };
    const address = info.NetworkSettings.Networks[this.placement.network]?.IPAddress;
    const endpoint = info.State.Running && address ? `${address}:${SITE_CONTAINER_PORT}` : null;
    const base = { restarts: info.RestartCount, image: info.Config.Image, startedAt: info.State.StartedAt || null };
    if (endpoint) {
      const answering = await tcpAnswers(endpoint);
      return { ...base, state: answering ? 'running' : 'starting', exitCode: null, endpoints: [endpoint], logTail: null };
    }
    if (info.State.Restarting) return { ...base, state: 'starting', exitCode: info.State.ExitCode, endpoints: [], logTail: null };
    // Dais removes containers it stops; one that exited did so on its own, whatever its exit code.
    return {
      ...base,
      state: 'crashed',
      exitCode: info.State.ExitCode,
      endpoints: [],
      logTail: await logTail(this.docker.getContainer(info.Id)),
    };
  }

  async managedSiteIds(): Promise<number[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${SITE_LABELS.managedBy}=${this.placement.namePrefix}`] },
    });
    return containers.map((container) => Number(container.Labels[SITE_LABELS.siteId])).filter((id) => Number.isSafeInteger(id));
  }

  watch(onSiteChange: (siteId: number) => void): () => void {
    return watchEvents(
      this.docker,
      { type: ['container'], label: [`${SITE_LABELS.managedBy}=${this.placement.namePrefix}`] },
      onSiteChange,
    );
  }

  private async inspect(siteId: number): Promise<ContainerInspectInfo | null> {
    try {
      return await this.docker.getContainer(siteResourceName(this.placement.namePrefix, siteId)).inspect();
    } catch (error) {
      if (isNotFound(error)) return null;
      throw dockerFailure(`inspect the container of site ${siteId}`, error);
    }
  }

  private async removeContainer(siteId: number): Promise<void> {
    const container = this.docker.getContainer(siteResourceName(this.placement.namePrefix, siteId));
    await container.stop({ t: STOP_GRACE_SECONDS }).catch(() => undefined);
    await container.remove({ force: true }).catch((error: unknown) => {
      if (!isNotFound(error)) throw dockerFailure(`remove the container of site ${siteId}`, error);
    });
  }

  /** The id of the image a reference names now; a missing image is pulled once, then refused. */
  private async imageId(reference: string): Promise<string> {
    try {
      return (await this.docker.getImage(reference).inspect()).Id;
    } catch (error) {
      if (!isNotFound(error)) throw dockerFailure(`inspect image ${reference}`, error);
    }
    await this.pull(reference);
    return (await this.docker.getImage(reference).inspect()).Id;
  }

  private async pull(reference: string): Promise<void> {
    try {
      const stream = await this.docker.pull(withDefaultTag(reference));
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      throw new DaisError('IMAGE_UNAVAILABLE', `The image ${reference} is not on this host and could not be pulled.`, undefined, {
        cause: error,
      });
    }
  }
}
