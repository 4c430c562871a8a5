import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  createDatabaseHostRequestSchema,
  createDatabaseRequestSchema,
  DaisError,
  parseInput,
  pathIdsSchema,
  type OperationView,
} from '@dais/shared';
import { assertAdmin, CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import type { DatabaseHostRecord } from './database-host-record';
import { DatabaseRepository } from './database.repository';
import { DatabasesService } from './databases.service';

const siteParams = pathIdsSchema('id');
const idOf = (params: unknown) => parseInput(siteParams, params, 'path').id;

/** `/api/sites/:id/database`: a site's database, for its members. */
@Controller('api/sites/:id/database')
export class SiteDatabaseController {
  constructor(private readonly databases: DatabasesService) {}

  @Post()
  @HttpCode(202)
  create(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<OperationView> {
    return this.databases.create(user, idOf(params), parseInput(createDatabaseRequestSchema, body, 'database'));
  }

  @Get()
  connection(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown) {
    return this.databases.connection(user, idOf(params));
  }

  @Post('rotate-password')
  @HttpCode(202)
  rotate(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.databases.rotatePassword(user, idOf(params));
  }

  @Delete()
  @HttpCode(202)
  delete(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.databases.delete(user, idOf(params));
  }
}

/** A host as the API shows it: never its admin password. */
function toHostView(host: DatabaseHostRecord) {
  return {
    id: host.id,
    name: host.name,
    engine: host.engine,
    adminHost: host.adminHost,
    adminPort: host.adminPort,
    adminUser: host.adminUser,
    siteHost: host.siteHost,
    sitePort: host.sitePort,
  };
}

/** `/api/database-hosts` (admins): the database servers sites get databases on. */
@Controller('api/database-hosts')
export class DatabaseHostsController {
  constructor(private readonly databases: DatabaseRepository) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser) {
    assertAdmin(user, 'see database hosts');
    return { hosts: (await this.databases.listHosts()).map(toHostView) };
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown) {
    assertAdmin(user, 'register database hosts');
    const host = await this.databases.createHost(parseInput(createDatabaseHostRequestSchema, body, 'database host'));
    if (!host) throw new DaisError('NAME_TAKEN', 'A database host with this name is already registered.');
    return toHostView(host);
  }
}
