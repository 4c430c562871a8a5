import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  createSiteRequestSchema,
  deleteSiteRequestSchema,
  listSitesQuerySchema,
  parseInput,
  pathIdsSchema,
  updateSiteRequestSchema,
  type OperationView,
  type SiteStatus,
  type SiteView,
} from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { SitesService, type SitePage } from './sites.service';

const siteParams = pathIdsSchema('id');
const idOf = (params: unknown) => parseInput(siteParams, params, 'path').id;

/** `/api/sites`: create, list, read, change, run, repair and delete sites. Route, check, validate, delegate. */
@Controller('api/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @HttpCode(202)
  create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<SiteView> {
    return this.sites.create(user, parseInput(createSiteRequestSchema, body, 'site'));
  }

  @Get()
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: unknown): Promise<SitePage> {
    return this.sites.list(user, parseInput(listSitesQuerySchema, query, 'query'));
  }

  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<SiteView> {
    return this.sites.get(user, idOf(params));
  }

  @Patch(':id')
  @HttpCode(202)
  update(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<SiteView> {
    return this.sites.update(user, idOf(params), parseInput(updateSiteRequestSchema, body, 'site change'));
  }

  @Get(':id/status')
  status(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<SiteStatus> {
    return this.sites.status(user, idOf(params));
  }

  @Post(':id/restart')
  @HttpCode(202)
  restart(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.sites.restart(user, idOf(params));
  }

  @Post(':id/stop')
  @HttpCode(202)
  stop(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.sites.setStopped(user, idOf(params), true);
  }

  @Post(':id/start')
  @HttpCode(202)
  start(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.sites.setStopped(user, idOf(params), false);
  }

  @Post(':id/repair')
  @HttpCode(202)
  repair(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.sites.repair(user, idOf(params));
  }

  @Delete(':id')
  @HttpCode(202)
  delete(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<OperationView> {
    const id = idOf(params);
    return this.sites.delete(user, id, parseInput(deleteSiteRequestSchema, body, 'confirmation').confirm);
  }
}
