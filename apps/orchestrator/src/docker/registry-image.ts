/** Where a local image is kept in the Swarm's registry: `<registry>/<repository>:<tag>`. */
export interface RegistryTarget {
  /** `<registry>/<path>`, what `docker push` and the digest reference start with. */
  repository: string;
  tag: string;
}

/** The longest tag a registry takes. */
const MAX_TAG = 128;

/** Whether a reference's first path component names a registry host (Docker's own rule). */
function namesRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/**
 * Where the Swarm's registry keeps an image a site names: the same path under the registry, so
 * names stay readable (`dais/busybox:latest` → `<registry>/dais/busybox:latest`, a built
 * `dais-site-7:3f…` → `<registry>/dais-site-7:3f…`). An image of another registry keeps that
 * registry's host as its first path component (`ghcr.io/x/y:1` → `<registry>/ghcr.io/x/y:1`), so two
 * registries' images of one name never meet. A reference pinned by digest gets the digest as its
 * tag. Returns null for an image already in the registry: it is used as it is.
 */
export function registryTarget(registry: string, reference: string): RegistryTarget | null {
  const at = reference.indexOf('@');
  const named = at === -1 ? reference : reference.slice(0, at);
  const slash = named.indexOf('/');
  const firstComponent = slash === -1 ? '' : named.slice(0, slash);
  if (firstComponent.toLowerCase() === registry.toLowerCase()) return null;
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const path = hasTag ? named.slice(0, colon) : named;
  const tag = at !== -1 ? reference.slice(at + 1).replace(':', '-') : hasTag ? named.slice(colon + 1) : 'latest';
  const host = namesRegistryHost(firstComponent) ? firstComponent : '';
  // Repository paths are lower case and take no port colon; a host's colon becomes a dash.
  const repositoryPath = host ? `${host.toLowerCase().replace(':', '-')}${path.slice(host.length)}` : path;
  return { repository: `${registry}/${repositoryPath}`, tag: tag.slice(0, MAX_TAG) };
}

/** `<repository>@<digest>`: what a service names, so every node runs exactly the pushed image. */
export function digestReference(target: RegistryTarget, digest: string): string {
  return `${target.repository}@${digest}`;
}

/** The digest this engine last pushed (or pulled) the image under for the repository, if any. */
export function knownDigest(repoDigests: readonly string[] | undefined, repository: string): string | null {
  const entry = (repoDigests ?? []).find((candidate) => candidate.startsWith(`${repository}@`));
  return entry ? entry.slice(repository.length + 1) : null;
}
