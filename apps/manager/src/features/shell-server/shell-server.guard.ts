import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DaisError, isDaisError, loadTrustedCallers, RequestVerifier, TRUSTED_ROUTES } from '@dais/shared';
import type { FastifyRequest } from 'fastify';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { RedisNonceStore } from '../../infrastructure/signing/redis-nonce-store';

/**
 * `/shell-server/…` answers only requests signed by the shell's own key (and the load balancer
 * in front admits only the shell there too). Everyone else gets 403, whatever the reason (named
 * in `details.reason`). Nonces live in Redis, so a request one API process accepted is refused
 * by every other, and after a restart.
 */
@Injectable()
export class ShellServerGuard implements CanActivate {
  private readonly verifier: RequestVerifier;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig, nonces: RedisNonceStore) {
    this.verifier = new RequestVerifier({
      selfId: 'manager',
      callers: loadTrustedCallers(config.keys.dir, TRUSTED_ROUTES.manager),
      nonces,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    try {
      await this.verifier.verify({ method: request.method, path: request.url, headers: request.headers, body: request.rawBody ?? '' });
      return true;
    } catch (error) {
      // Redis being away is not the caller's fault: 503, so the shell says "try again" rather than "forbidden".
      if (isDaisError(error, 'REPLAY_CHECK_UNAVAILABLE')) throw error;
      const reason = isDaisError(error) ? error.message : 'the request could not be verified';
      throw new DaisError(
        'FORBIDDEN',
        `/shell-server/ is for the shell only: ${reason}`,
        isDaisError(error) ? { reason: error.code } : undefined,
      );
    }
  }
}
