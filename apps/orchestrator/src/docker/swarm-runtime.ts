import type Docker from 'dockerode';
import { DaisError, SITE_CONTAINER_PORT } from '@dais/shared';
import { IptablesFirewall, type Firewall } from '../firewall';
import { runtimeSpecHash } from '../sites/to-runtime-site';
import type { RuntimeApplyOptions, RuntimeObservation, RuntimeSite, SiteRuntimeDriver } from '../sites/runtime-driver';
import { MAX_RESTARTS, STOP_GRACE_SECONDS, type RuntimePlacement } from './container-spec';
import { SITE_LABELS, siteResourceName } from './docker-client';
import { assertHasCommand, dockerFailure, isNotFound, logTail, tcpAnswers, watchEvents } from './docker-util';
import { assertHardenedEngine, fenceSwarmNode, swarmNodeInfo, type SwarmFenceSettings } from './swarm-fence';
import { RegistryPublisher } from './registry-publisher';
import { SERVICE_SPEC_LABEL, serviceSpec, SWARM_RESTART_DELAY_MS, type ServiceSpec } from './service-spec';

/** The local image a service's tag pointed at when it was created (Swarm itself only keeps the tag). */
const IMAGE_ID_LABEL = 'dais.image-id';
/** The image the site names, when the service runs it from the Swarm's registry under another name. */
const SITE_IMAGE_LABEL = 'dais.site-image';
/** The extra placement constraints the service was made with (absent: none). */
const CONSTRAINTS_LABEL = 'dais.site-constraints';
const STARTING_STATES = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);

/** The parts of a service inspection Dais reads (dockerode types it as `any`). */
interface ServiceInfo {
  Version: { Index: number };
  Spec: {
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate?: { ForceUpdate?: number; ContainerSpec?: { Image?: string } };
  };
}

interface TaskInfo {
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: {
    State?: string;
    Err?: string;
    Timestamp?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number }[] };
  };
}

/** The Swarm settings of the orchestrator (config `swarm`): the fence, and how tasks reach other nodes. */
export interface SwarmSettings extends Omit<SwarmFenceSettings, 'network'> {
  /** The registry every node pulls site images from; without one, images stay on this node (single-node Swarm). */
  registry?: string | null;
  /** Placement constraints every site task also obeys. */
  siteConstraints?: readonly string[];
}

/** How often the node's fence is re-applied while sites change (nodes join, rules get flushed). */
const FENCE_REFRESH_MS = 60_000;

/**
 * The `swarm` runtime: one replicated Swarm service per site, its tasks spread over the nodes,
 * each publishing the site's port on its node (host mode: the routing mesh is not used).
 */
export class SwarmRuntime implements SiteRuntimeDriver {
  private readonly nodeAddresses = new Map<string, string>();
  private readonly publisher: RegistryPublisher | null;
  private readonly siteConstraints: readonly string[];
  private fencedAt = 0;

  /** `placement.network` is the sites' swarm network; `settings` say who else may reach its tasks, and where images come from. */
  constructor(
    private readonly docker: Docker,
    private readonly placement: RuntimePlacement,
    private readonly settings: SwarmSettings,
    private readonly firewall: Firewall = new IptablesFirewall(),
  ) {
    this.publisher = settings.registry ? new RegistryPublisher(docker, settings.registry) : null;
    this.siteConstraints = settings.siteConstraints ?? [];
  }

  async prepare(): Promise<void> {
    const node = await swarmNodeInfo(this.docker);
    if (!node.inSwarm || !node.manager) {
      throw new DaisError(
        'RUNTIME_FAILED',
        'DAIS_RUNTIME is swarm, but this Docker engine is not a Swarm manager (run `docker swarm init` or join one).',
      );
    }
    assertHardenedEngine(node.hardened);
    await this.ensureFence();
  }

  private async ensureFence(): Promise<void> {
    const { subnet, orchestratorAddresses } = this.settings;
    await fenceSwarmNode(this.docker, this.firewall, { subnet, orchestratorAddresses, network: this.placement.network }, true);
    this.fencedAt = Date.now();
  }

  async apply(site: RuntimeSite, options: RuntimeApplyOptions = {}): Promise<void> {
    if (Date.now() - this.fencedAt > FENCE_REFRESH_MS) await this.ensureFence();
    const localId = await this.imageId(site.image);
    if (site.running) await assertHasCommand(this.docker, site.image, site.command);
    // Pushed only once the site is known to be runnable: a refused site leaves nothing in the registry.
    const { imageId, reference } = this.publisher ? await this.publisher.publish(site.image) : { imageId: localId, reference: site.image };
    const wanted = serviceSpec(site, this.placement, { image: reference, constraints: this.siteConstraints });
    wanted.Labels[IMAGE_ID_LABEL] = imageId;
    if (reference !== site.image) wanted.Labels[SITE_IMAGE_LABEL] = site.image;
    if (this.siteConstraints.length > 0) wanted.Labels[CONSTRAINTS_LABEL] = this.siteConstraints.join(',');
    const existing = await this.inspect(site.siteId);
    if (!existing) {
      await this.docker.createService(wanted).catch((error: unknown) => {
        throw dockerFailure(`create the service of site ${site.siteId}`, error);
      });
      return;
    }
    const labels = existing.Spec.Labels ?? {};
    const same =
      labels[SITE_LABELS.specHash] === runtimeSpecHash(site) &&
      labels[IMAGE_ID_LABEL] === imageId &&
      labels[SERVICE_SPEC_LABEL] === wanted.Labels[SERVICE_SPEC_LABEL] &&
      labels[CONSTRAINTS_LABEL] === wanted.Labels[CONSTRAINTS_LABEL] &&
      existing.Spec.TaskTemplate?.ContainerSpec?.Image === reference;
    const replicas = existing.Spec.Mode?.Replicated?.Replicas;
    if (same && replicas === wanted.Mode.Replicated.Replicas && !options.restart) return;
    const forceUpdate = existing.Spec.TaskTemplate?.ForceUpdate ?? 0;
    // The task template names the image by its tag, unchanged when the tag moves: only a forced
    // update makes Swarm start tasks on the image the tag points at now.
    const replaceTasks = options.restart === true || labels[IMAGE_ID_LABEL] !== imageId;
    await this.update(site.siteId, existing.Version.Index, {
      ...wanted,
      TaskTemplate: { ...wanted.TaskTemplate, ForceUpdate: replaceTasks ? forceUpdate + 1 : forceUpdate },
    });
    // Like the docker runtime, a site told to stop has stopped when this returns.
    if (!site.running) await this.waitUntilNoTaskRuns(site.siteId);
  }

  async remove(siteId: number): Promise<boolean> {
    try {
      await this.docker.getService(siteResourceName(this.placement.namePrefix, siteId)).remove();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw dockerFailure(`remove the service of site ${siteId}`, error);
    }
    await this.waitUntilNoTaskRuns(siteId);
    return true;
  }

  /** Swarm stops tasks in the background; wait (bounded) until none of the site's containers runs. */
  private async waitUntilNoTaskRuns(siteId: number): Promise<void> {
    const deadline = Date.now() + (STOP_GRACE_SECONDS + 10) * 1000;
    const filters = {
      label: [`${SITE_LABELS.managedBy}=${this.placement.namePrefix}`, `${SITE_LABELS.siteId}=${siteId}`],
      status: ['running'],
    };
    while (Date.now() < deadline && (await this.docker.listContainers({ filters })).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async observe(siteId: number): Promise<RuntimeObservation> {
    const service = await this.inspect(siteId);
    if (!service) return { state: 'missing', exitCode: null, restarts: 0, endpoints: [], image: null, startedAt: null, logTail: null };
    const tasks = await this.tasks(siteId);
    const running = tasks.filter((task) => task.Status?.State === 'running' && task.DesiredState === 'running');
    const image = service.Spec.Labels?.[SITE_IMAGE_LABEL] ?? service.Spec.TaskTemplate?.ContainerSpec?.Image ?? null;
    const base = { restarts: Math.max(0, tasks.length - 1), image, startedAt: running[0]?.Status?.Timestamp ?? null };
    if (service.Spec.Mode?.Replicated?.Replicas === 0) return { ...base, state: 'stopped', exitCode: null, endpoints: [], logTail: null };
    if (running.length > 0) {
      const endpoints = await this.endpoints(running);
      const answering = (await Promise.all(endpoints.map(tcpAnswers))).some(Boolean);
      return { ...base, state: answering ? 'running' : 'starting', exitCode: null, endpoints, logTail: null };
    }
    const latest = tasks[0];
    if (!latest || STARTING_STATES.has(latest.Status?.State ?? '') || swarmWillRetry(latest, base.restarts)) {
      // A task Swarm cannot place (no hardened node, say) waits forever: say why instead of "starting".
      const unplaced =
        latest?.Status?.State === 'pending' && latest.Status.Err ? `Swarm cannot place the site yet: ${latest.Status.Err}` : null;
      return { ...base, state: 'starting', exitCode: null, endpoints: [], logTail: unplaced };
    }
    const containerId = latest.Status?.ContainerStatus?.ContainerID;
    return {
      ...base,
      state: 'crashed',
      exitCode: latest.Status?.ContainerStatus?.ExitCode ?? null,
      endpoints: [],
      logTail: containerId ? await logTail(this.docker.getContainer(containerId)) : null,
    };
  }

  async managedSiteIds(): Promise<number[]> {
    const services = await this.docker.listServices({ filters: { label: [`${SITE_LABELS.managedBy}=${this.placement.namePrefix}`] } });
    return services.map((service) => Number(service.Spec?.Labels?.[SITE_LABELS.siteId])).filter((id) => Number.isSafeInteger(id));
  }

  watch(onSiteChange: (siteId: number) => void): () => void {
    // Task containers carry the site's labels; their events on this node drive prompt updates,
    // and the reconciler's periodic pass catches tasks on other nodes.
    return watchEvents(
      this.docker,
      { type: ['container'], label: [`${SITE_LABELS.managedBy}=${this.placement.namePrefix}`] },
      onSiteChange,
    );
  }

  private async inspect(siteId: number): Promise<ServiceInfo | null> {
    try {
      return (await this.docker.getService(siteResourceName(this.placement.namePrefix, siteId)).inspect()) as ServiceInfo;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw dockerFailure(`inspect the service of site ${siteId}`, error);
    }
  }

  private async update(siteId: number, version: number, spec: ServiceSpec): Promise<void> {
    await this.docker
      .getService(siteResourceName(this.placement.namePrefix, siteId))
      .update({ version, ...spec })
      .catch((error: unknown) => {
        throw dockerFailure(`update the service of site ${siteId}`, error);
      });
  }

  /** The site's tasks (Swarm keeps a few finished ones as history), newest first. */
  private async tasks(siteId: number): Promise<TaskInfo[]> {
    const tasks = (await this.docker.listTasks({
      filters: { service: [siteResourceName(this.placement.namePrefix, siteId)] },
    })) as TaskInfo[];
    return tasks.sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''));
  }

  private async endpoints(tasks: TaskInfo[]): Promise<string[]> {
    const endpoints = new Set<string>();
    for (const task of tasks) {
      const port = task.Status?.PortStatus?.Ports?.find((candidate) => candidate.TargetPort === SITE_CONTAINER_PORT)?.PublishedPort;
      if (!port || !task.NodeID) continue;
      endpoints.add(`${await this.nodeAddress(task.NodeID)}:${port}`);
    }
    return [...endpoints].sort();
  }

  private async nodeAddress(nodeId: string): Promise<string> {
    const known = this.nodeAddresses.get(nodeId);
    if (known) return known;
    const node = (await this.docker.getNode(nodeId).inspect()) as { Status?: { Addr?: string }; ManagerStatus?: { Addr?: string } };
    // A lone manager may report 0.0.0.0; its advertised manager address is the usable one.
    const address =
      node.Status?.Addr && node.Status.Addr !== '0.0.0.0' ? node.Status.Addr : (node.ManagerStatus?.Addr ?? '').replace(/:\d+$/, '');
    this.nodeAddresses.set(nodeId, address);
    return address;
  }

  private async imageId(reference: string): Promise<string> {
    try {
      return (await this.docker.getImage(reference).inspect()).Id;
    } catch (error) {
      if (isNotFound(error))
        throw new DaisError(
          'IMAGE_UNAVAILABLE',
          `The image ${reference} is not on this Swarm manager; multi-node Swarms need it in a registry.`,
        );
      throw dockerFailure(`inspect image ${reference}`, error);
    }
  }
}

/**
 * Between a task failing and Swarm creating its replacement (the restart delay) the service has
 * no live task; while restarts are left and the failure is that recent, the site is restarting,
 * not crashed — otherwise a crash would be reported, then taken back, up to MAX_RESTARTS times.
 */
function swarmWillRetry(latest: TaskInfo, restarts: number): boolean {
  if (latest.Status?.State !== 'failed' || restarts >= MAX_RESTARTS) return false;
  const failedAt = Date.parse(latest.Status.Timestamp ?? '');
  return Number.isFinite(failedAt) && Date.now() - failedAt < SWARM_RESTART_DELAY_MS + 5_000;
}
