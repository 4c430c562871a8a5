import { siteHostname, type SiteView } from '@dais/shared';
import type { ManagerConfig } from '../config/manager.config';
import { toOperationView, type OperationWithSteps } from '../operations/operation-view';
import { hostnamesOf } from './site-spec';
import type { SiteWithDomains } from './site.repository';

/** The public address of a site, e.g. `http://blog.dais.localhost:8080/`. */
export function siteUrl(name: string, sites: ManagerConfig['sites']): string {
  const defaultPort = sites.publicScheme === 'https' ? 443 : 80;
  const port = sites.publicPort === defaultPort ? '' : `:${sites.publicPort}`;
  return `${sites.publicScheme}://${siteHostname(name, sites.domain)}${port}/`;
}

/** The API's view of a site with its latest operation. */
export function toSiteView(site: SiteWithDomains, operation: OperationWithSteps | null, sites: ManagerConfig['sites']): SiteView {
  return {
    id: site.id,
    name: site.name,
    type: site.type,
    description: site.description,
    state: site.state,
    availability: site.availability,
    url: siteUrl(site.name, sites),
    hostnames: hostnamesOf(site, sites.domain),
    createdAt: site.createdAt.toISOString(),
    operation: operation ? toOperationView(operation) : null,
  };
}
