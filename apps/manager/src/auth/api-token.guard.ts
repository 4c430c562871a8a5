import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DaisError } from '@dais/shared';
import { looksLikeApiToken } from './api-token';
import type { AuthenticatedRequest } from './authenticated-user';
import { UserRepository } from './user.repository';

const PUBLIC_ROUTE = 'dais:public';

/** Marks a route that needs no authentication (health checks). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Extracts a bearer token from an Authorization header value. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Every HTTP route needs a valid API token (`Authorization: Bearer dais_…`) unless marked
 * {@link Public}. Session cookies arrive with user accounts (a later issue).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly users: UserRepository,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, unknown> }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new DaisError('UNAUTHENTICATED', 'Send an API token: "Authorization: Bearer dais_…".');
    const user = looksLikeApiToken(token) ? await this.users.findByToken(token) : null;
    if (!user) throw new DaisError('UNAUTHENTICATED', 'This API token is not valid or was revoked.');
    request.user = user;
    return true;
  }
}
