import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { createUserRequestSchema, pageQuerySchema, parseInput, pathIdsSchema, updateUserRequestSchema } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { UsersService } from './users.service';

const userParams = pathIdsSchema('id');

/** `/api/users` (admins): accounts, their roles, disabling them, resetting passwords. */
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list(@CurrentUser() actor: AuthenticatedUser, @Query() query: unknown) {
    const page = parseInput(pageQuerySchema, query, 'query');
    return this.users.list(actor, page.limit, page.cursor);
  }

  @Post()
  @HttpCode(201)
  create(@CurrentUser() actor: AuthenticatedUser, @Body() body: unknown) {
    return this.users.create(actor, parseInput(createUserRequestSchema, body, 'user'));
  }

  @Patch(':id')
  update(@CurrentUser() actor: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown) {
    return this.users.update(actor, parseInput(userParams, params, 'path').id, parseInput(updateUserRequestSchema, body, 'user change'));
  }
}
