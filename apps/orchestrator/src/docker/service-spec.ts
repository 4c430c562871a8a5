import { SITE_CONTAINER_PORT } from '@dais/shared';
import { SITE_MOUNT } from '../sites/to-runtime-site';
import type { RuntimeSite } from '../sites/runtime-driver';
import { LOG_OPTIONS, MAX_RESTARTS, siteLabels, STOP_GRACE_SECONDS, type RuntimePlacement } from './container-spec';
import { siteResourceName } from './docker-client';

/** How long Swarm waits before replacing a task that failed (it is still restarting meanwhile). */
export const SWARM_RESTART_DELAY_MS = 1_000;

/**
 * The engine label of a Swarm node whose Docker engine gives every container no-new-privileges
 * (`"no-new-privileges": true` in /etc/docker/daemon.json; scripts/setup-docker.sh writes both).
 */
export const HARDENED_ENGINE_LABEL = 'dais.no-new-privileges';

/**
 * Label of the shape of the service spec itself: raised when the spec changes in a way the site's
 * own hash does not see (a network, a constraint), so services made by an older Dais are updated.
 */
export const SERVICE_SPEC_LABEL = 'dais.service-spec';
const SERVICE_SPEC_VERSION = '2';

/** How a multi-node Swarm runs a site's tasks (DAIS_SWARM_REGISTRY, DAIS_SWARM_SITE_CONSTRAINTS). */
export interface SwarmDistribution {
  /** What the tasks run: the site's image as the registry names it (by digest); the site's own reference without one. */
  image: string;
  /** Placement constraints besides the hardened-engine one. */
  constraints: readonly string[];
}

/** The Swarm service spec, as the engine API (1.41) takes it. */
export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: Record<string, unknown>;
  Mode: { Replicated: { Replicas: number } };
  EndpointSpec: { Ports: { Protocol: 'tcp'; TargetPort: number; PublishMode: 'host' }[] };
}

/**
 * A site as a Swarm service, hardened like the plain container (see containerCreateOptions).
 * Ports are published in host mode: each task gets a port on its node, and the orchestrator's
 * nginx lists every running task by node address and port; the node's packet filter lets only
 * the orchestrators reach it (firewall-rules.ts). Tasks join the sites' swarm bridge (no traffic
 * between containers). Engine API 1.41 has no no-new-privileges for services, so tasks are only
 * placed on nodes whose engine sets it for every container ({@link HARDENED_ENGINE_LABEL}).
 */
export function serviceSpec(
  site: RuntimeSite,
  placement: RuntimePlacement,
  distribution: SwarmDistribution = { image: site.image, constraints: [] },
): ServiceSpec {
  const labels = siteLabels(site, placement);
  return {
    Name: siteResourceName(placement.namePrefix, site.siteId),
    Labels: { ...labels, [SERVICE_SPEC_LABEL]: SERVICE_SPEC_VERSION },
    TaskTemplate: {
      ContainerSpec: {
        Image: distribution.image,
        ...(site.command.kind === 'run.sh' ? { Command: site.command.entrypoint, Args: site.command.cmd } : {}),
        Env: Object.entries(site.env).map(([key, value]) => `${key}=${value}`),
        User: `${site.uid}:${site.uid}`,
        Dir: SITE_MOUNT,
        Labels: labels,
        Init: true,
        ReadOnly: true,
        StopGracePeriod: STOP_GRACE_SECONDS * 1e9,
        CapabilityDrop: ['ALL'],
        Mounts: [
          { Type: 'bind', Source: site.siteDir, Target: SITE_MOUNT },
          { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } },
        ],
      },
      Resources: {
        Limits: { NanoCPUs: Math.round(site.limits.cpus * 1e9), MemoryBytes: site.limits.memoryMb * 1024 * 1024, Pids: site.limits.pids },
      },
      Networks: [{ Target: placement.network }],
      Placement: { Constraints: [`engine.labels.${HARDENED_ENGINE_LABEL} == true`, ...distribution.constraints] },
      RestartPolicy: { Condition: 'on-failure', MaxAttempts: MAX_RESTARTS, Delay: SWARM_RESTART_DELAY_MS * 1e6 },
      LogDriver: { Name: 'json-file', Options: { ...LOG_OPTIONS } },
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: site.running ? site.replicas : 0 } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: SITE_CONTAINER_PORT, PublishMode: 'host' }] },
  };
}
