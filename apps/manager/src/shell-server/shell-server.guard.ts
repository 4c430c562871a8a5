import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DaisError, isDaisError, loadTrustedCallers, RequestVerifier, TRUSTED_ROUTES } from '@dais/shared';
import type { FastifyRequest } from 'fastify';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';

/**
 * `/shell-server/…` answers only requests signed by the shell's own key (and the load balancer
 * in front admits only the shell there too). Everyone else gets 403, whatever the reason.
 */
@Injectable()
export class ShellServerGuard implements CanActivate {
  private readonly verifier: RequestVerifier;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.verifier = new RequestVerifier({ selfId: 'manager', callers: loadTrustedCallers(config.keys.dir, TRUSTED_ROUTES.manager) });
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    try {
      this.verifier.verify({ method: request.method, path: request.url, headers: request.headers, body: request.rawBody ?? '' });
      return true;
    } catch (error) {
      const reason = isDaisError(error) ? error.message : 'the request could not be verified';
      throw new DaisError('FORBIDDEN', `/shell-server/ is for the shell only: ${reason}`);
    }
  }
}
