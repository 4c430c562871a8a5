import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import {
  changePasswordRequestSchema,
  createTokenRequestSchema,
  loginRequestSchema,
  parseInput,
  pathIdsSchema,
  updateAccountRequestSchema,
  type UserView,
} from '@dais/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toUserView } from '../users/user-view';
import { Public } from './auth.guard';
import { AuthService } from './auth.service';
import { CurrentUser, type AuthenticatedUser } from './authenticated-user';
import { UserRepository } from './user.repository';
import { assertDashboardOrigin, assertJsonBody } from './request-origin';
import { clearSessionCookies, sessionTokenOf, setSessionCookies } from './session-cookie';

const tokenParams = pathIdsSchema('id');

/** `/api/auth`: sign in and out, who am I, my e-mail address, change my password. */
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // No login CSRF: another site's page can neither post here from its origin nor send JSON without asking.
    assertDashboardOrigin(request.headers, this.auth.dashboardOrigins);
    assertJsonBody(request.headers);
    const { username, password } = parseInput(loginRequestSchema, body, 'sign-in');
    const { user, session } = await this.auth.login(username, password, {
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    setSessionCookies(reply, session, this.auth.secureCookies);
    return { user: toUserView(user), csrfToken: session.csrfToken };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(user, sessionTokenOf(request));
    clearSessionCookies(reply, this.auth.secureCookies);
  }

  @Get('me')
  async me(@CurrentUser() user: AuthenticatedUser) {
    return { user: await this.auth.me(user), csrfToken: user.session?.csrfToken ?? null };
  }

  @Patch('me')
  updateMe(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<UserView> {
    return this.auth.updateAccount(user, parseInput(updateAccountRequestSchema, body, 'account change').email);
  }

  @Post('password')
  @HttpCode(204)
  async changePassword(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<void> {
    await this.auth.changePassword(user, parseInput(changePasswordRequestSchema, body, 'password change'));
  }
}

/** `/api/tokens`: personal API tokens for scripts (the token is shown once). */
@Controller('api/tokens')
export class TokensController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UserRepository,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser) {
    const tokens = await this.users.listTokens(user.id);
    return {
      tokens: tokens.map((token) => ({
        id: token.id,
        name: token.name,
        createdAt: token.createdAt.toISOString(),
        lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
      })),
    };
  }

  @Post()
  @HttpCode(201)
  create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown) {
    return this.auth.createToken(user, parseInput(createTokenRequestSchema, body, 'token').name);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<void> {
    await this.auth.revokeToken(user, parseInput(tokenParams, params, 'path').id);
  }
}
