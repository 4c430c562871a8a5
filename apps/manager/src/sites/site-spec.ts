import { siteHostname, type RouteSpec, type SiteSpec } from '@dais/shared';
import type { SiteWithDomains } from './site.repository';

/** Every hostname a site answers on: its own name under the sites domain, then custom domains. */
export function hostnamesOf(site: SiteWithDomains, sitesDomain: string): string[] {
  return [siteHostname(site.name, sitesDomain), ...site.domains.map((domain) => domain.hostname)];
}

/** The full desired state the orchestrator gets for a site. */
export function toSiteSpec(site: SiteWithDomains, sitesDomain: string): SiteSpec {
  return {
    id: site.id,
    name: site.name,
    type: site.type,
    availability: site.availability,
    hostnames: hostnamesOf(site, sitesDomain),
    runtime: null,
    nginx: {},
  };
}

/** The full desired state the router gets for a site. */
export function toRouteSpec(site: SiteWithDomains, sitesDomain: string): RouteSpec {
  return { siteId: site.id, hostnames: hostnamesOf(site, sitesDomain) };
}
