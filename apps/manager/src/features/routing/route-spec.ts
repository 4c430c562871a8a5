import type { RouteSpec } from '@dais/shared';
import { hostnamesOf, routedDomainsOf } from '../sites/site-spec';
import type { SiteRecord } from '../sites/site';

/** What a site's route is made from: a full site record, or the narrow read of every site's routes. */
export type RouteSource = Pick<SiteRecord, 'id' | 'name' | 'clientMaxBodyMb'> & {
  domains: readonly Pick<SiteRecord['domains'][number], 'hostname' | 'verifiedAt'>[];
};

/**
 * The full desired state the router gets for a site: its hostnames, the verified custom domains
 * that get a certificate (wildcards cannot be proven over HTTP-01), and its request-body limit.
 * One mapping for the per-site step and the whole-state fill, so both send the same spec.
 */
export function toRouteSpec(site: RouteSource, sitesDomain: string): RouteSpec {
  return {
    siteId: site.id,
    hostnames: hostnamesOf(site, sitesDomain),
    certificateHostnames: routedDomainsOf(site)
      .map((domain) => domain.hostname)
      .filter((hostname) => !hostname.startsWith('*.')),
    ...(site.clientMaxBodyMb === null ? {} : { clientMaxBodyMb: site.clientMaxBodyMb }),
  };
}
