import { SITE_CONTAINER_PORT } from '@dais/shared';
import { SITE_MOUNT } from '../sites/runtime-site';
import type { RuntimeSite } from '../sites/site-runtime';
import { LOG_OPTIONS, MAX_RESTARTS, siteLabels, STOP_GRACE_SECONDS, type RuntimePlacement } from './container-spec';
import { siteResourceName } from './docker-client';

/** How long Swarm waits before replacing a task that failed (it is still restarting meanwhile). */
export const SWARM_RESTART_DELAY_MS = 1_000;

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
 * nginx lists every running task by node address and port. Engine API 1.41 has no
 * no-new-privileges for services; dropping every capability and a non-root user still apply.
 */
export function serviceSpec(site: RuntimeSite, placement: RuntimePlacement): ServiceSpec {
  const labels = siteLabels(site, placement);
  return {
    Name: siteResourceName(placement.namePrefix, site.siteId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: site.image,
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
      RestartPolicy: { Condition: 'on-failure', MaxAttempts: MAX_RESTARTS, Delay: SWARM_RESTART_DELAY_MS * 1e6 },
      LogDriver: { Name: 'json-file', Options: { ...LOG_OPTIONS } },
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: site.running ? site.replicas : 0 } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: SITE_CONTAINER_PORT, PublishMode: 'host' }] },
  };
}
