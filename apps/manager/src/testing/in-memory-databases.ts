import type { DatabaseEngine, DatabaseHost } from '../features/site-databases/database-host-record';
import type { DatabaseRepository, NewSiteDatabase } from '../features/site-databases/database.repository';
import type { OperationWithSteps } from '../features/operations/operation-view';
import type { DatabaseHostRecord } from '../features/site-databases/database-host-record';
import { databasePasswordPlace, hostPasswordPlace } from '../infrastructure/secrets/sealed-secret';
import { fakeSeal } from './fake-secrets';
import type { InMemorySites } from './in-memory-sites';

/** The DatabaseRepository methods the databases service uses. */
type DatabaseStore = Pick<DatabaseRepository, 'findHost' | 'createWithOperation' | 'rotateWithOperation' | 'deleteWithOperation'>;

/**
 * Database hosts and site databases in memory, kept on the sites of an InMemorySites (as the real
 * rows hang off sites): one database per site (a second answers null), passwords sealed, each
 * change written with its operation.
 */
export class InMemoryDatabases implements DatabaseStore {
  readonly hosts: DatabaseHostRecord[] = [];
  private nextDatabaseId = 1;

  constructor(private readonly sites: InMemorySites) {}

  /** Registers a host (test arrangement). */
  seedHost(host: Partial<DatabaseHost> & Pick<DatabaseHost, 'name' | 'engine'>): DatabaseHostRecord {
    const id = this.hosts.length + 1;
    const row: DatabaseHostRecord = {
      id,
      adminHost: '127.0.0.1',
      adminPort: host.engine === 'postgresql' ? 5432 : 3306,
      adminUser: 'root',
      siteHost: 'db.internal',
      sitePort: host.engine === 'postgresql' ? 5432 : 3306,
      createdAt: new Date(0),
      ...host,
      adminPassword: fakeSeal(host.adminPassword ?? 'admin', hostPasswordPlace(id)),
    };
    this.hosts.push(row);
    return row;
  }

  findHost(engine: DatabaseEngine, hostId?: number): Promise<DatabaseHostRecord | null> {
    const host = this.hosts
      .filter((row) => row.engine === engine && (hostId === undefined || row.id === hostId))
      .sort((a, b) => a.id - b.id)[0];
    return Promise.resolve(host ?? null);
  }

  createWithOperation(database: NewSiteDatabase, requestedById: number): Promise<OperationWithSteps | null> {
    const site = this.siteRow(database.siteId);
    if (site.database) return Promise.resolve(null);
    const host = this.hosts.find((row) => row.id === database.hostId);
    if (!host) return Promise.reject(new Error(`Foreign key constraint violated: hostId ${database.hostId} (P2003)`));
    site.database = {
      id: this.nextDatabaseId++,
      siteId: site.id,
      hostId: host.id,
      host,
      name: database.name,
      username: database.username,
      password: fakeSeal(database.password, databasePasswordPlace(site.id)),
      deleting: false,
      createdAt: new Date(0),
    };
    return Promise.resolve(this.sites.operationFor(site, 'create_database', requestedById));
  }

  rotateWithOperation(siteId: number, password: string, requestedById: number): Promise<OperationWithSteps> {
    const site = this.siteRow(siteId);
    if (!site.database) return Promise.reject(new Error(`No SiteDatabase for site ${siteId} to update (P2025)`));
    site.database.password = fakeSeal(password, databasePasswordPlace(siteId));
    return Promise.resolve(this.sites.operationFor(site, 'rotate_database_password', requestedById));
  }

  deleteWithOperation(siteId: number, requestedById: number): Promise<OperationWithSteps> {
    const site = this.siteRow(siteId);
    if (!site.database) return Promise.reject(new Error(`No SiteDatabase for site ${siteId} to update (P2025)`));
    site.database.deleting = true;
    return Promise.resolve(this.sites.operationFor(site, 'delete_database', requestedById));
  }

  private siteRow(siteId: number) {
    const site = this.sites.rows.find((row) => row.id === siteId);
    if (!site) throw new Error(`No Site ${siteId} (foreign key)`);
    return site;
  }
}
