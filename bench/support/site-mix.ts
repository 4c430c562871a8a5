import type { SiteSpec } from '@dais/shared';

/** The domain every generated site answers under. */
export const SITES_DOMAIN = 'dais.localhost';

/**
 * The mix of sites the nginx benchmark configures, roughly what a school or club host looks like:
 * mostly static sites, a third dynamic, some with a custom domain, a few not served, a few with
 * several containers (Swarm) and a few with their own directives (a body limit).
 */
export const SITE_MIX = {
  dynamicEvery: 3,
  customDomainEvery: 10,
  notServedEvery: 50,
  severalContainersEvery: 100,
  ownDirectivesEvery: 200,
} as const;

/** One line describing {@link SITE_MIX}, for the benchmark's output. */
export function describeSiteMix(): string {
  const m = SITE_MIX;
  return (
    `1 in ${m.dynamicEvery} dynamic (fake ip:port upstreams), 1 in ${m.customDomainEvery} with a custom domain, ` +
    `1 in ${m.notServedEvery} not served, 1 in ${m.severalContainersEvery} with 3 containers, ` +
    `1 in ${m.ownDirectivesEvery} with its own body limit`
  );
}

/** The sites the benchmark changes: static and enabled, without their own server block. */
export function isChangeable(id: number): boolean {
  const m = SITE_MIX;
  return id % m.dynamicEvery !== 0 && id % m.notServedEvery !== 0 && id % m.ownDirectivesEvery !== 0;
}

/** Site `id` of the mix. Dynamic sites get a fixed `10.x.y.z:8080` endpoint nobody listens on. */
export function siteOfMix(id: number): SiteSpec {
  const m = SITE_MIX;
  const name = `site${id}`;
  const dynamic = id % m.dynamicEvery === 0;
  return {
    id,
    name,
    type: dynamic ? 'dynamic' : 'static',
    availability: id % m.notServedEvery === 0 ? 'not_served' : 'enabled',
    hostnames: [`${name}.${SITES_DOMAIN}`, ...(id % m.customDomainEvery === 0 ? [`www.${name}-club.example.org`] : [])],
    runtime: dynamic
      ? {
          image: 'dais/busybox:latest',
          limits: { memoryMb: 256, cpus: 0.5, pids: 256 },
          env: {},
          secrets: {},
          database: null,
          stopped: false,
          replicas: 1,
          runScript: null,
        }
      : null,
    nginx: id % m.ownDirectivesEvery === 0 ? { clientMaxBodyMb: 64 } : {},
    diskLimitMb: 1_024,
  };
}

/** Where dynamic site `id` answers: one endpoint, or three for a Swarm site with several tasks. */
export function endpointsOfMix(id: number): string[] {
  const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:8080`;
  if (id % SITE_MIX.severalContainersEvery === 0) return [address(id), address(id + 1_000_000), address(id + 2_000_000)];
  return [address(id)];
}

/** `count` sites of the mix, keyed by id (1…count). */
export function sitesOfMix(count: number): Map<number, SiteSpec> {
  const sites = new Map<number, SiteSpec>();
  for (let id = 1; id <= count; id++) sites.set(id, siteOfMix(id));
  return sites;
}

/** `count` distinct changeable site ids spread over 1…size (fewer if the mix has fewer). */
export function changeTargets(size: number, count: number): number[] {
  const candidates: number[] = [];
  for (let id = 1; id <= size; id++) if (isChangeable(id)) candidates.push(id);
  if (candidates.length <= count) return candidates;
  const step = candidates.length / count;
  return Array.from({ length: count }, (_, index) => candidates[Math.floor(index * step)]!);
}
