import { buildTestImage } from '../../../../test/support/test-images';
import type { OrchestratorHarness } from './orchestrator-harness';

/** The protections a site's running container really got, in one shape for both runtimes. */
export interface Hardening {
  init: boolean;
  readOnlyRoot: boolean;
  capDrop: string[];
  privileged: boolean;
  user: string;
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  binds: string[];
  tmpfs: string[];
  hostNetwork: boolean;
  dockerSocket: boolean;
  restartLimit: number;
  stopGraceSeconds: number;
  logMaxSize: string | undefined;
}

/** Ids of the site's running containers (Swarm tasks are containers too), sorted. */
export async function runningContainerIds(h: OrchestratorHarness, siteId: number): Promise<string[]> {
  const containers = await h.docker.listContainers({
    filters: { label: [`dais.managed-by=${h.prefix}`, `dais.site-id=${siteId}`], status: ['running'] },
  });
  return containers.map((container) => container.Id).sort();
}

/** Reads the hardening from the engine itself (what Docker applied), not from Dais's own spec. */
export async function hardeningOf(h: OrchestratorHarness, runtime: 'docker' | 'swarm', siteId: number): Promise<Hardening> {
  const [id] = await runningContainerIds(h, siteId);
  if (!id) throw new Error(`site ${siteId} has no running container`);
  const info = await h.docker.getContainer(id).inspect();
  const host = info.HostConfig as typeof info.HostConfig & {
    Init?: boolean;
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
    NanoCpus?: number;
  };
  const mounts = info.Mounts as { Type: string; Source: string; Destination: string }[];
  const restart =
    runtime === 'docker'
      ? {
          restartLimit: host.RestartPolicy?.MaximumRetryCount ?? 0,
          stopGraceSeconds: (info.Config as { StopTimeout?: number }).StopTimeout ?? 10,
        }
      : await swarmRestart(h, siteId);
  return {
    init: host.Init === true,
    readOnlyRoot: host.ReadonlyRootfs === true,
    capDrop: host.CapDrop ?? [],
    privileged: host.Privileged === true,
    user: info.Config.User,
    memoryBytes: host.Memory ?? 0,
    nanoCpus: host.NanoCpus ?? 0,
    pids: host.PidsLimit ?? 0,
    binds: mounts.filter((mount) => mount.Type === 'bind').map((mount) => `${mount.Source}:${mount.Destination}`),
    tmpfs: [...Object.keys(host.Tmpfs ?? {}), ...mounts.filter((mount) => mount.Type === 'tmpfs').map((mount) => mount.Destination)],
    hostNetwork: host.NetworkMode === 'host',
    dockerSocket: mounts.some((mount) => mount.Source.includes('docker.sock')),
    ...restart,
    logMaxSize: (host.LogConfig?.Config as Record<string, string> | undefined)?.['max-size'],
  };
}

/** Swarm restarts tasks itself: the limits live on the service, not on the task's container. */
async function swarmRestart(h: OrchestratorHarness, siteId: number): Promise<{ restartLimit: number; stopGraceSeconds: number }> {
  const service = await h.docker.getService(`${h.prefix}${siteId}`).inspect();
  const template = service.Spec.TaskTemplate as { RestartPolicy?: { MaxAttempts?: number }; ContainerSpec?: { StopGracePeriod?: number } };
  return { restartLimit: template.RestartPolicy?.MaxAttempts ?? 0, stopGraceSeconds: (template.ContainerSpec?.StopGracePeriod ?? 0) / 1e9 };
}

/** A local image with no command and no entrypoint (busybox without its default `sh`). */
export function imageWithoutCommand(h: OrchestratorHarness): Promise<string> {
  return buildTestImage(h.docker, `${h.prefix}no-command:1`, { Dockerfile: 'FROM dais/busybox:latest\nCMD []\n' });
}
