import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { parseInput, pathIdsSchema, sqlQueryRequestSchema, type SqlQueryResult } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { DatabaseQueryService } from './database-query.service';

const siteParams = pathIdsSchema('id');

/** `POST /api/sites/:id/database/query`: the SQL console, for the site's members and admins. */
@Controller('api/sites/:id/database/query')
export class DatabaseQueryController {
  constructor(private readonly queries: DatabaseQueryService) {}

  @Post()
  @HttpCode(200)
  run(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<SqlQueryResult> {
    const { id } = parseInput(siteParams, params, 'path');
    return this.queries.run(user, id, parseInput(sqlQueryRequestSchema, body, 'query'));
  }
}
