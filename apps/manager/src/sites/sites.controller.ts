import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { createSiteRequestSchema, parseInput, siteIdSchema, type OperationView, type SiteView } from '@dais/shared';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { SitesService } from './sites.service';

const siteParams = z.strictObject({ id: siteIdSchema });

/** `/api/sites`: create, read, list and delete sites. Route, check, validate, delegate. */
@Controller('api/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @HttpCode(202)
  create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<SiteView> {
    return this.sites.create(user, parseInput(createSiteRequestSchema, body, 'site'));
  }

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser): Promise<{ sites: SiteView[] }> {
    return { sites: await this.sites.list(user) };
  }

  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<SiteView> {
    return this.sites.get(user, parseInput(siteParams, params, 'path').id);
  }

  @Delete(':id')
  @HttpCode(202)
  delete(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.sites.delete(user, parseInput(siteParams, params, 'path').id);
  }
}
