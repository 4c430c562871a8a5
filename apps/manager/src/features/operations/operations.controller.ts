import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { listOperationsQuerySchema, parseInput, pathIdsSchema, type OperationListView, type OperationView } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { OperationsService } from './operations.service';

const operationParams = pathIdsSchema('id');

/** `/api/operations`: list them (admins), follow a long task, retry it after a failure. */
@Controller('api/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: unknown): Promise<OperationListView> {
    return this.operations.list(user, parseInput(listOperationsQuerySchema, query, 'query'));
  }

  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.operations.get(user, parseInput(operationParams, params, 'path').id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<OperationView> {
    return this.operations.retry(user, parseInput(operationParams, params, 'path').id);
  }
}
