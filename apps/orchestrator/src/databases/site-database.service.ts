import { DaisError, KeyedLock, type SiteDatabaseDrop, type SiteDatabaseResult, type SiteDatabaseSpec } from '@dais/shared';
import type { DatabaseEngine, DatabaseEngineAdapter } from './database-engine';
import { SITES_GROUP } from './postgres.adapter';

/** Names each engine keeps for itself: a site may never be given, nor drop, one of these. */
const RESERVED: Record<DatabaseEngine, { databases: readonly string[]; users: readonly string[]; userPrefixes: readonly string[] }> = {
  postgresql: {
    databases: ['postgres', 'template0', 'template1'],
    // PostgreSQL itself refuses these as role names; refusing them here gives a 400 instead of a host error.
    users: ['postgres', 'public', 'none', 'current_user', 'current_role', 'session_user', SITES_GROUP],
    userPrefixes: ['pg_'],
  },
  mysql: { databases: ['mysql', 'information_schema', 'performance_schema', 'sys'], users: ['root', 'mysql'], userPrefixes: [] },
};

/**
 * Per-site databases on the database hosts: picks the engine's adapter and runs one request per
 * site at a time, so a create and a drop for the same site never interleave. Knows no transport.
 */
export class SiteDatabaseService {
  private readonly lock = new KeyedLock<number>();

  constructor(private readonly adapters: Readonly<Record<DatabaseEngine, DatabaseEngineAdapter>>) {}

  /** Makes the site's database and user exist, the user owning it with exactly this password. */
  apply(spec: SiteDatabaseSpec): Promise<SiteDatabaseResult> {
    return this.run(spec, async (adapter) => (await adapter.ensure(spec)).created);
  }

  /** Drops the site's database and user; dropping what is not there is not an error. */
  drop(spec: SiteDatabaseDrop): Promise<SiteDatabaseResult> {
    return this.run(spec, async (adapter) => (await adapter.drop(spec)).dropped);
  }

  private async run(spec: SiteDatabaseDrop, task: (adapter: DatabaseEngineAdapter) => Promise<boolean>): Promise<SiteDatabaseResult> {
    assertNotReserved(spec);
    const adapter = this.adapters[spec.host.engine];
    const changed = await this.lock.run(spec.siteId, () => task(adapter));
    return { siteId: spec.siteId, engine: spec.host.engine, name: spec.name, username: spec.username, changed };
  }
}

/**
 * Refuses system databases and accounts, the host's own admin user, and a user named unlike its
 * database, before anything connects. PostgreSQL hosts admit a site role only to the database of its own
 * name (`sameuser` in pg_hba.conf), so the two names are one on every engine.
 */
function assertNotReserved(spec: SiteDatabaseDrop): void {
  const reserved = RESERVED[spec.host.engine];
  if (reserved.databases.includes(spec.name)) {
    throw new DaisError('VALIDATION_FAILED', `Database name ${spec.name} is reserved on ${spec.host.engine} hosts.`, { field: 'name' });
  }
  const username = spec.username;
  if (
    username === spec.host.adminUser ||
    reserved.users.includes(username) ||
    reserved.userPrefixes.some((prefix) => username.startsWith(prefix))
  ) {
    throw new DaisError('VALIDATION_FAILED', `User name ${username} is reserved on this ${spec.host.engine} host.`, { field: 'username' });
  }
  if (username !== spec.name) {
    throw new DaisError(
      'VALIDATION_FAILED',
      `A site's database user has the name of its database: send "${spec.name}" as both name and username.`,
      { field: 'username' },
    );
  }
}
