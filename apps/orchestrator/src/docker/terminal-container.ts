import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { RuntimeSite } from '../sites/runtime-driver';
import { containerCreateOptions, type RuntimePlacement } from './container-spec';
import { SITE_LABELS, siteResourceName } from './docker-client';
import { dockerFailure, isNotFound } from './docker-util';

/** Label on terminal containers (never `dais.site-id`: the runtime must not take them for the site's own). */
export const TERMINAL_FOR_LABEL = 'dais.terminal-for';

/**
 * The running container of a site on this host: the plain container of the `docker` runtime or a
 * task container of the `swarm` runtime (both carry the site's labels). Null when none runs here.
 */
export async function findSiteContainer(docker: Docker, namePrefix: string, siteId: number): Promise<string | null> {
  try {
    const containers = await docker.listContainers({
      filters: { label: [`${SITE_LABELS.managedBy}=${namePrefix}`, `${SITE_LABELS.siteId}=${siteId}`], status: ['running'] },
    });
    return containers[0]?.Id ?? null;
  } catch (error) {
    throw dockerFailure(`find the container of site ${siteId}`, error);
  }
}

/** A container started only to host a terminal; removed when the session ends. */
export interface TerminalContainer {
  id: string;
  remove(): Promise<void>;
}

/**
 * Starts a container with exactly the mounts, user, limits and hardening a dynamic site's own
 * container gets (it is built from the same options), but running only a sleep that outlasts the
 * session's maximum lifetime, so a forgotten container ends by itself. For static sites and for
 * dynamic sites whose container is not running (an owner fixing a crashing run.sh needs a shell).
 */
export async function startTerminalContainer(
  docker: Docker,
  site: RuntimeSite,
  placement: RuntimePlacement,
  lifetimeMs: number,
): Promise<TerminalContainer> {
  const base = containerCreateOptions(site, placement);
  const { ExposedPorts: _ports, ...options } = base;
  const name = `${siteResourceName(placement.namePrefix, site.siteId)}-terminal-${randomBytes(4).toString('hex')}`;
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      ...options,
      name,
      Entrypoint: ['sleep'],
      Cmd: [String(Math.ceil(lifetimeMs / 1000) + 60)],
      Labels: { [SITE_LABELS.managedBy]: placement.namePrefix, [TERMINAL_FOR_LABEL]: String(site.siteId) },
      HostConfig: { ...base.HostConfig, RestartPolicy: { Name: 'no' } },
    });
  } catch (error) {
    throw dockerFailure(`create a terminal container for site ${site.siteId}`, error);
  }
  const remove = async () => {
    await container.remove({ force: true }).catch((error: unknown) => {
      if (!isNotFound(error)) throw dockerFailure(`remove the terminal container of site ${site.siteId}`, error);
    });
  };
  try {
    await container.start();
  } catch (error) {
    await remove().catch(() => undefined);
    throw dockerFailure(`start a terminal container for site ${site.siteId}`, error);
  }
  return { id: container.id, remove };
}

/** Removes terminal containers left by a previous run of the orchestrator (their sessions are gone). */
export async function removeStaleTerminalContainers(docker: Docker, namePrefix: string): Promise<void> {
  const containers = await docker
    .listContainers({ all: true, filters: { label: [`${SITE_LABELS.managedBy}=${namePrefix}`, TERMINAL_FOR_LABEL] } })
    .catch(() => []);
  for (const container of containers) {
    await docker
      .getContainer(container.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}
