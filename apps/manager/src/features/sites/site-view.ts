import { siteHostname, type SiteView } from '@dais/shared';
import type { ManagerConfig } from '../../config/manager.config';
import { toDomainView } from '../domains/domain-view';
import { toOperationView, type OperationWithSteps } from '../operations/operation-view';
import { diskLimitOf, hostnamesOf } from './site-spec';
import type { SiteRecord } from './site.repository';

/** The public address of a site, e.g. `http://blog.dais.localhost:8080/`. */
export function siteUrl(name: string, sites: ManagerConfig['sites']): string {
  const defaultPort = sites.publicScheme === 'https' ? 443 : 80;
  const port = sites.publicPort === defaultPort ? '' : `:${sites.publicPort}`;
  return `${sites.publicScheme}://${siteHostname(name, sites.domain)}${port}/`;
}

/** The API's view of a site with its latest operation. Secret values and the database password stay out. */
export function toSiteView(site: SiteRecord, operation: OperationWithSteps | null, sites: ManagerConfig['sites']): SiteView {
  return {
    id: site.id,
    name: site.name,
    type: site.type,
    description: site.description,
    state: site.state,
    availability: site.availability,
    url: siteUrl(site.name, sites),
    hostnames: hostnamesOf(site, sites.domain),
    domains: site.domains.map(toDomainView),
    createdAt: site.createdAt.toISOString(),
    runtime:
      site.type === 'dynamic' && site.image
        ? {
            image: site.image.name,
            builtImage: site.builtImage,
            packages: site.packages,
            setupCommands: site.setupCommands as string[][],
            env: site.env as Record<string, string>,
            secretNames: Object.keys(site.secrets).sort(),
            limits: { memoryMb: site.memoryMb, cpus: site.cpus, pids: site.pids },
            stopped: site.stopped,
          }
        : null,
    database: site.database
      ? { engine: site.database.host.engine, host: site.database.host.name, name: site.database.name, username: site.database.username }
      : null,
    nginx: {
      ...(site.clientMaxBodyMb === null ? {} : { clientMaxBodyMb: site.clientMaxBodyMb }),
      ...(site.nginxSnippet === null ? {} : { snippet: site.nginxSnippet }),
    },
    disk: { limitMb: diskLimitOf(site, sites.diskLimitMb), isDefault: site.diskLimitMb === null },
    operation: operation ? toOperationView(operation) : null,
  };
}
