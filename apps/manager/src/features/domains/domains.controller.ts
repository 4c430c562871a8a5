import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { addDomainRequestSchema, parseInput, pathIdsSchema, type DomainView, type OperationView } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { DomainsService, type DomainChange } from './domains.service';

const siteParams = pathIdsSchema('id');
const domainParams = pathIdsSchema('id', 'domainId');

/** `/api/sites/:id/domains`: a site's custom domains and their proofs of control (members and admins). */
@Controller('api/sites/:id/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<{ domains: DomainView[] }> {
    return { domains: await this.domains.list(user, parseInput(siteParams, params, 'path').id) };
  }

  @Post()
  @HttpCode(201)
  add(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<DomainChange> {
    const { id } = parseInput(siteParams, params, 'path');
    return this.domains.add(user, id, parseInput(addDomainRequestSchema, body, 'domain').hostname);
  }

  /** "Check now": looks at the domain's TXT record at once. */
  @Post(':domainId/check')
  @HttpCode(200)
  check(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<DomainChange> {
    const { id, domainId } = parseInput(domainParams, params, 'path');
    return this.domains.check(user, id, domainId);
  }

  /** Admins: marks the domain verified by hand. */
  @Post(':domainId/verify')
  @HttpCode(200)
  verify(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<DomainChange> {
    const { id, domainId } = parseInput(domainParams, params, 'path');
    return this.domains.verify(user, id, domainId);
  }

  @Delete(':domainId')
  @HttpCode(202)
  remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    const { id, domainId } = parseInput(domainParams, params, 'path');
    return this.domains.remove(user, id, domainId);
  }
}
