import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { OperationKind } from '../operations/operation';
import { createOperationRow } from '../operations/operation.repository';
import type { OperationWithSteps } from '../operations/operation-view';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import { databasePasswordPlace, hostPasswordPlace } from '../../infrastructure/secrets/sealed-secret';
import { toHostRecord, type DatabaseEngine, type DatabaseHost, type DatabaseHostRecord } from './database-host-record';

/** A database server as an admin registers it (its admin password in plain text: the repository seals it). */
export type NewDatabaseHost = Omit<DatabaseHost, 'id' | 'createdAt'>;

/** A site's new database, as the service decided it. */
export interface NewSiteDatabase {
  siteId: number;
  hostId: number;
  name: string;
  username: string;
  password: string;
}

/**
 * Database hosts and site databases in PostgreSQL; every change comes with its operation. Passwords
 * are sealed on the way in and handed out sealed.
 */
@Injectable()
export class DatabaseRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly box: SecretBox,
  ) {}

  async listHosts(): Promise<DatabaseHostRecord[]> {
    return (await this.prisma.databaseHost.findMany({ orderBy: { id: 'asc' } })).map(toHostRecord);
  }

  /** A host by id, or the first registered host of the engine. */
  async findHost(engine: DatabaseEngine, hostId?: number): Promise<DatabaseHostRecord | null> {
    const host = await this.prisma.databaseHost.findFirst({
      where: { engine, ...(hostId === undefined ? {} : { id: hostId }) },
      orderBy: { id: 'asc' },
    });
    return host && toHostRecord(host);
  }

  /** Registers a host; null if the name is taken. */
  async createHost(host: NewDatabaseHost): Promise<DatabaseHostRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => toHostRecord(await this.saveHost(tx, host, null)));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Creates or updates a host by name (setup's local servers). */
  upsertHost(host: NewDatabaseHost): Promise<DatabaseHostRecord> {
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.databaseHost.findUnique({ where: { name: host.name }, select: { id: true } });
      return toHostRecord(await this.saveHost(tx, host, existing?.id ?? null));
    });
  }

  /** Records the site's database and the operation creating it; null if the site already has one. */
  async createWithOperation(database: NewSiteDatabase, requestedById: number): Promise<OperationWithSteps | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.siteDatabase.create({
          data: { ...database, password: this.box.seal(database.password, databasePasswordPlace(database.siteId)) },
        });
        return this.operation(tx, database.siteId, 'create_database', requestedById);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Stores the new password and the operation that sets it on the host. */
  rotateWithOperation(siteId: number, password: string, requestedById: number): Promise<OperationWithSteps> {
    return this.prisma.$transaction(async (tx) => {
      await tx.siteDatabase.update({ where: { siteId }, data: { password: this.box.seal(password, databasePasswordPlace(siteId)) } });
      return this.operation(tx, siteId, 'rotate_database_password', requestedById);
    });
  }

  /** Marks the database as going away (the container stops getting it) with the operation that drops it. */
  deleteWithOperation(siteId: number, requestedById: number): Promise<OperationWithSteps> {
    return this.prisma.$transaction(async (tx) => {
      await tx.siteDatabase.update({ where: { siteId }, data: { deleting: true } });
      return this.operation(tx, siteId, 'delete_database', requestedById);
    });
  }

  /**
   * Writes a host with its admin password sealed for its row. A new row's id is known only once it
   * exists, so it is written first without the password, in the same transaction.
   */
  private async saveHost(tx: Prisma.TransactionClient, host: NewDatabaseHost, id: number | null): Promise<DatabaseHost> {
    const { adminPassword, ...fields } = host;
    const hostId = id ?? (await tx.databaseHost.create({ data: { ...fields, adminPassword: '' }, select: { id: true } })).id;
    return tx.databaseHost.update({
      where: { id: hostId },
      data: { ...fields, adminPassword: this.box.seal(adminPassword, hostPasswordPlace(hostId)) },
    });
  }

  private async operation(
    tx: Prisma.TransactionClient,
    siteId: number,
    kind: OperationKind,
    requestedById: number,
  ): Promise<OperationWithSteps> {
    const site = await tx.site.findUniqueOrThrow({ where: { id: siteId } });
    return createOperationRow(tx, { ...site, hasDatabase: true }, kind, requestedById);
  }
}
