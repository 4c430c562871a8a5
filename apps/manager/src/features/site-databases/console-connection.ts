import type { DatabaseConnection } from '@dais/shared';
import type { SecretOpener } from '../../infrastructure/secrets/sealed-secret';
import type { SiteRecord } from '../sites/site.repository';

/**
 * How the orchestrator reaches a site's database for the console: the site's own database, user and
 * password, at the address the orchestrator administers the host on. (The site-facing address is
 * for containers; the host's access rules may not admit the orchestrator there.)
 */
export function consoleConnectionOf(site: SiteRecord, secrets: SecretOpener): DatabaseConnection | null {
  const database = site.database;
  if (!database || database.deleting) return null;
  return {
    engine: database.host.engine,
    host: database.host.adminHost,
    port: database.host.adminPort,
    name: database.name,
    username: database.username,
    password: secrets.open(database.password),
  };
}
