import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { databaseUrl, DaisError, type OperationView } from '@dais/shared';
import type { z } from 'zod';
import type { createDatabaseRequestSchema, siteDatabaseConnectionViewSchema } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { OperationLauncher } from '../operations/operation-launcher';
import { toOperationView } from '../operations/operation-view';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import { databaseConnectionOf } from '../sites/site-spec';
import { changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository, type SiteRecord } from '../sites/site.repository';
import { DatabaseRepository } from './database.repository';

/** A new, random database password: 32 characters that need no escaping in a URL. */
export function generateDatabasePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Database and user name of a site: `<prefix>s<id>_<name>`, unique per host and valid on both
 * engines (at most 32 characters: MariaDB's limit for user names).
 */
export function databaseNameFor(site: Pick<SiteRecord, 'id' | 'name'>, prefix = ''): string {
  return `${prefix}s${site.id}_${site.name.replace(/-/g, '_')}`.slice(0, 32);
}

/** A site's database: create it, show its members how to connect, rotate its password, drop it. */
@Injectable()
export class DatabasesService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly databases: DatabaseRepository,
    private readonly launcher: OperationLauncher,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Creates the site's database on a host of the engine (the given one, or the first registered). */
  async create(user: AuthenticatedUser, siteId: number, request: z.output<typeof createDatabaseRequestSchema>): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    if (site.database)
      throw new DaisError(
        'DATABASE_EXISTS',
        `${site.name} already has a ${site.database.host.engine} database; delete it first to get another.`,
      );
    const host = await this.databases.findHost(request.engine, request.hostId);
    if (!host) {
      throw new DaisError(
        'DATABASE_HOST_NOT_FOUND',
        `No ${request.engine} database host${request.hostId === undefined ? ' is registered' : ` with id ${request.hostId}`}; an admin adds hosts with POST /api/database-hosts.`,
      );
    }
    const name = databaseNameFor(site, this.config.databaseNamePrefix);
    const operation = await this.databases.createWithOperation(
      { siteId, hostId: host.id, name, username: name, password: generateDatabasePassword() },
      user.id,
    );
    if (!operation) throw new DaisError('DATABASE_EXISTS', `${site.name} already has a database.`);
    await this.launcher.launch(operation.id);
    await this.audit.record({ actor: user, action: 'database.create', site, details: { engine: request.engine, host: host.name } });
    return toOperationView(operation);
  }

  /** Everything a member needs to connect (only members and admins get here). */
  async connection(user: AuthenticatedUser, siteId: number): Promise<z.output<typeof siteDatabaseConnectionViewSchema>> {
    const site = await visibleSite(this.sites, user, siteId);
    const connection = databaseConnectionOf(site, this.secrets);
    if (!connection) throw new DaisError('DATABASE_NOT_FOUND', `Site ${siteId} has no database.`);
    await this.audit.record({ actor: user, action: 'database.credentials.view', site });
    return { ...connection, url: databaseUrl(connection) };
  }

  /** Gives the database user a new password; the site's container gets it when the operation ends. */
  async rotatePassword(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    const site = await this.withDatabase(user, siteId);
    const operation = await this.databases.rotateWithOperation(siteId, generateDatabasePassword(), user.id);
    await this.audit.record({ actor: user, action: 'database.rotate-password', site });
    await this.launcher.launch(operation.id);
    return toOperationView(operation);
  }

  /** Drops the database and its user (after the site's container stops getting it). */
  async delete(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    const site = await this.withDatabase(user, siteId);
    const operation = await this.databases.deleteWithOperation(siteId, user.id);
    await this.audit.record({ actor: user, action: 'database.delete', site });
    await this.launcher.launch(operation.id);
    return toOperationView(operation);
  }

  private async withDatabase(user: AuthenticatedUser, siteId: number): Promise<SiteRecord> {
    const site = await changeableSite(this.sites, user, siteId);
    if (!site.database || site.database.deleting) throw new DaisError('DATABASE_NOT_FOUND', `Site ${siteId} has no database.`);
    return site;
  }
}
