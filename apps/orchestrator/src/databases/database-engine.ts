import type { DatabaseHost, SiteDatabaseDrop, SiteDatabaseSpec } from '@dais/shared';

/** The database engines sites can get a database on. */
export type DatabaseEngine = DatabaseHost['engine'];

/**
 * What the service needs from one database engine. Each adapter alone speaks its driver, and
 * refuses (DATABASE_CONFLICT) to touch a database or user that belongs to someone else.
 */
export interface DatabaseEngineAdapter {
  readonly engine: DatabaseEngine;
  /** Makes the database and user exist, the user owning the database with exactly this password. */
  ensure(spec: SiteDatabaseSpec): Promise<{ created: boolean }>;
  /** Drops the database (ending its sessions) and the user; `dropped` says whether either existed. */
  drop(spec: SiteDatabaseDrop): Promise<{ dropped: boolean }>;
}
