import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DaisError } from '@dais/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from './auth.service';
import type { AuthenticatedRequest } from './authenticated-user';
import { assertDashboardOrigin } from './request-origin';
import { CSRF_HEADER, SAFE_METHODS, sessionTokenOf, setSessionCookies } from './session-cookie';

const PUBLIC_ROUTE = 'dais:public';

/** Marks a route that needs no user (health checks, sign-in, the shell's signed routes). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Extracts a bearer token from an Authorization header value. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Every HTTP route needs a user unless marked {@link Public}: an API token
 * (`Authorization: Bearer dais_…`, for scripts), or a session cookie (browsers), in which case
 * every state-changing request must also echo the session's CSRF token in `X-CSRF-Token` and,
 * when the browser names the page it comes from, come from the dashboard's own origin.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token) {
      const user = await this.auth.userFromToken(token, request.ip);
      if (!user) throw new DaisError('UNAUTHENTICATED', 'This API token is not valid or was revoked.');
      request.user = user;
      return true;
    }
    const sessionToken = sessionTokenOf(request);
    const user = sessionToken ? await this.auth.userFromSession(sessionToken, request.ip) : null;
    if (!user)
      throw new DaisError('UNAUTHENTICATED', 'Sign in first (POST /api/auth/login), or send an API token: "Authorization: Bearer dais_…".');
    if (!SAFE_METHODS.has(request.method)) {
      assertDashboardOrigin(request.headers, this.auth.dashboardOrigins);
      if (request.headers[CSRF_HEADER] !== user.session?.csrfToken) {
        throw new DaisError(
          'CSRF_FAILED',
          `A request changing something with a session cookie must send the session's CSRF token in ${CSRF_HEADER}.`,
        );
      }
    }
    // The session slid forward: the cookies follow, or the browser would drop them at the first expiry.
    if (sessionToken && user.session?.extended) {
      const { csrfToken, expiresAt } = user.session;
      setSessionCookies(
        context.switchToHttp().getResponse<FastifyReply>(),
        { token: sessionToken, csrfToken, expiresAt },
        this.auth.secureCookies,
      );
    }
    request.user = user;
    return true;
  }
}
