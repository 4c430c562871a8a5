import Docker from 'dockerode';

/** The Docker engine API version Dais speaks (Debian 12's docker.io 20.10 = 1.41). */
export const DOCKER_API_VERSION = 'v1.41';

/** A dockerode client on the local engine's socket. Only files in `docker/` use dockerode. */
export function createDockerClient(socketPath: string): Docker {
  return new Docker({ socketPath, version: DOCKER_API_VERSION });
}

/** Name of a site's container, service or image: `<prefix><site id>`. */
export function siteResourceName(prefix: string, siteId: number): string {
  return `${prefix}${siteId}`;
}

/** Labels on everything Dais creates for a site, so it can find (and clean up) what it owns. */
export const SITE_LABELS = {
  managedBy: 'dais.managed-by',
  siteId: 'dais.site-id',
  specHash: 'dais.spec-hash',
} as const;
