import { siteHostname, type DatabaseConnection, type SiteSpec } from '@dais/shared';
import { openSiteSecrets, type SecretOpener } from '../../infrastructure/secrets/sealed-secret';
import type { SiteRecord } from './site.repository';

/** The custom domains whose owner proved control: the only ones any component is told about. */
export function routedDomainsOf<D extends Pick<SiteRecord['domains'][number], 'verifiedAt'>>(site: { domains: readonly D[] }): D[] {
  return site.domains.filter((domain) => domain.verifiedAt !== null);
}

/**
 * Every hostname a site answers on: its own name under the sites domain, then its verified custom
 * domains (an unverified claim is never routed, at either nginx tier).
 */
export function hostnamesOf(
  site: Pick<SiteRecord, 'name'> & { domains: readonly Pick<SiteRecord['domains'][number], 'hostname' | 'verifiedAt'>[] },
  sitesDomain: string,
): string[] {
  return [siteHostname(site.name, sitesDomain), ...routedDomainsOf(site).map((domain) => domain.hostname)];
}

/** How the site's code reaches its database, or null when it has none (or it is being removed). */
export function databaseConnectionOf(site: SiteRecord, secrets: SecretOpener): DatabaseConnection | null {
  const database = site.database;
  if (!database || database.deleting) return null;
  return {
    engine: database.host.engine,
    host: database.host.siteHost,
    port: database.host.sitePort,
    name: database.name,
    username: database.username,
    password: secrets.open(database.password),
  };
}

/** The site's disk limit in MiB: its own, or the admin default. */
export function diskLimitOf(site: Pick<SiteRecord, 'diskLimitMb'>, defaultLimitMb: number): number {
  return site.diskLimitMb ?? defaultLimitMb;
}

/**
 * The full desired state the orchestrator gets for a site, its secrets opened (the orchestrator runs
 * it with them); `defaultDiskLimitMb` is the admin default.
 */
export function toSiteSpec(site: SiteRecord, sitesDomain: string, secrets: SecretOpener, defaultDiskLimitMb: number): SiteSpec {
  const nginx = {
    ...(site.clientMaxBodyMb === null ? {} : { clientMaxBodyMb: site.clientMaxBodyMb }),
    ...(site.nginxSnippet === null ? {} : { snippet: site.nginxSnippet }),
  };
  const base = {
    id: site.id,
    name: site.name,
    availability: site.availability,
    hostnames: hostnamesOf(site, sitesDomain),
    nginx,
    diskLimitMb: diskLimitOf(site, defaultDiskLimitMb),
  };
  if (site.type === 'static' || !site.image) return { ...base, type: 'static', runtime: null };
  return {
    ...base,
    type: 'dynamic',
    runtime: {
      image: site.builtImage ?? site.image.baseImage,
      limits: { memoryMb: site.memoryMb, cpus: site.cpus, pids: site.pids },
      env: site.env as Record<string, string>,
      secrets: openSiteSecrets(secrets, site.secrets),
      database: databaseConnectionOf(site, secrets),
      stopped: site.stopped,
      replicas: 1,
      runScript: site.image.runScript,
    },
  };
}
