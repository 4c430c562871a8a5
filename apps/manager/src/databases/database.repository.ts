import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { DatabaseEngine, OperationKind } from '../generated/prisma/enums';
import type { DatabaseHost } from '../generated/prisma/client';
import { createOperationRow } from '../operations/operation-rows';
import type { OperationWithSteps } from '../operations/operation-view';

/** A database server as an admin registers it. */
export type NewDatabaseHost = Omit<DatabaseHost, 'id' | 'createdAt'>;

/** A site's new database, as the service decided it. */
export interface NewSiteDatabase {
  siteId: number;
  hostId: number;
  name: string;
  username: string;
  password: string;
}

/** Database hosts and site databases in PostgreSQL; every change comes with its operation. */
@Injectable()
export class DatabaseRepository {
  constructor(private readonly prisma: PrismaService) {}

  listHosts(): Promise<DatabaseHost[]> {
    return this.prisma.databaseHost.findMany({ orderBy: { id: 'asc' } });
  }

  /** A host by id, or the first registered host of the engine. */
  findHost(engine: DatabaseEngine, hostId?: number): Promise<DatabaseHost | null> {
    return this.prisma.databaseHost.findFirst({
      where: { engine, ...(hostId === undefined ? {} : { id: hostId }) },
      orderBy: { id: 'asc' },
    });
  }

  /** Registers a host; null if the name is taken. */
  async createHost(host: NewDatabaseHost): Promise<DatabaseHost | null> {
    try {
      return await this.prisma.databaseHost.create({ data: host });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Creates or updates a host by name (setup's local servers). */
  upsertHost(host: NewDatabaseHost): Promise<DatabaseHost> {
    return this.prisma.databaseHost.upsert({ where: { name: host.name }, create: host, update: host });
  }

  /** Records the site's database and the operation creating it; null if the site already has one. */
  async createWithOperation(database: NewSiteDatabase, requestedById: number): Promise<OperationWithSteps | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.siteDatabase.create({ data: database });
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
      await tx.siteDatabase.update({ where: { siteId }, data: { password } });
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
