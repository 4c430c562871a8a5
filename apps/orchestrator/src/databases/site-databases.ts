import { MysqlAdapter } from './mysql.adapter';
import { PostgresAdapter } from './postgres.adapter';
import { SiteDatabaseService } from './site-database.service';

/** The site database service with the real PostgreSQL and MySQL/MariaDB adapters. Connects only when asked. */
export function createSiteDatabaseService(): SiteDatabaseService {
  return new SiteDatabaseService({ postgresql: new PostgresAdapter(), mysql: new MysqlAdapter() });
}
