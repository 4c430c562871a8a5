import type { ContainerCreateOptions } from 'dockerode';
import { SITE_CONTAINER_PORT } from '@dais/shared';
import { runtimeSpecHash, SITE_MOUNT } from '../sites/to-runtime-site';
import type { RuntimeSite } from '../sites/runtime-driver';
import { SITE_LABELS, siteResourceName } from './docker-client';

/** Seconds a site gets to exit after SIGTERM before it is killed (short: see DESIGN.md "Sites"). */
export const STOP_GRACE_SECONDS = 3;
/** Crashes the engine restarts before it leaves a site crashed. */
export const MAX_RESTARTS = 3;
/** Log rotation per container: at most 3 × 10 MB on disk. */
export const LOG_OPTIONS = { 'max-size': '10m', 'max-file': '3' } as const;

/** Where a runtime creates things: name prefix (also the owner label), and the sites' network. */
export interface RuntimePlacement {
  namePrefix: string;
  network: string;
}

/** The labels that let Dais find what it owns and notice when it must be replaced. */
export function siteLabels(site: RuntimeSite, placement: RuntimePlacement): Record<string, string> {
  return {
    [SITE_LABELS.managedBy]: placement.namePrefix,
    [SITE_LABELS.siteId]: String(site.siteId),
    [SITE_LABELS.specHash]: runtimeSpecHash(site),
  };
}

/**
 * The hardened container for a site (DESIGN.md "Sites"): an init process, a short stop grace,
 * read-only root with a tmpfs /tmp, no new privileges, every capability dropped, a non-root user,
 * CPU/memory/pids limits, the site folder as the only mount, its own network, capped logs, and
 * a bounded restart policy. Never privileged, never the host network, never the Docker socket.
 */
export function containerCreateOptions(site: RuntimeSite, placement: RuntimePlacement): ContainerCreateOptions {
  const memory = site.limits.memoryMb * 1024 * 1024;
  return {
    name: siteResourceName(placement.namePrefix, site.siteId),
    Image: site.image,
    ...(site.command.kind === 'run.sh' ? { Entrypoint: site.command.entrypoint, Cmd: site.command.cmd } : {}),
    Env: Object.entries(site.env).map(([key, value]) => `${key}=${value}`),
    User: `${site.uid}:${site.uid}`,
    WorkingDir: SITE_MOUNT,
    Labels: siteLabels(site, placement),
    ExposedPorts: { [`${SITE_CONTAINER_PORT}/tcp`]: {} },
    StopTimeout: STOP_GRACE_SECONDS,
    HostConfig: {
      Init: true,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      Privileged: false,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(site.limits.cpus * 1e9),
      PidsLimit: site.limits.pids,
      Binds: [`${site.siteDir}:${SITE_MOUNT}:rw`],
      NetworkMode: placement.network,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: MAX_RESTARTS },
      LogConfig: { Type: 'json-file', Config: { ...LOG_OPTIONS } },
    },
  };
}
