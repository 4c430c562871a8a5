import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { addDomainRequestSchema, parseInput, pathIdsSchema, type DomainView, type OperationView } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { DomainsService } from './domains.service';

const siteParams = pathIdsSchema('id');
const domainParams = pathIdsSchema('id', 'domainId');

/** `/api/sites/:id/domains`: a site's custom domains (members and admins). */
@Controller('api/sites/:id/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<{ domains: DomainView[] }> {
    return { domains: await this.domains.list(user, parseInput(siteParams, params, 'path').id) };
  }

  @Post()
  @HttpCode(202)
  add(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown) {
    const { id } = parseInput(siteParams, params, 'path');
    return this.domains.add(user, id, parseInput(addDomainRequestSchema, body, 'domain').hostname);
  }

  @Delete(':domainId')
  @HttpCode(202)
  remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    const { id, domainId } = parseInput(domainParams, params, 'path');
    return this.domains.remove(user, id, domainId);
  }
}
