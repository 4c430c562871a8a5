import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../features/auth/auth.guard';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';

/**
 * Liveness for load balancers and `npm start`: the process is up and answers HTTP. No
 * authentication, no dependencies checked (that is `/ready`), no secrets. `/healthz` is the
 * older name, kept for scripts that use it.
 */
@Controller()
export class HealthController {
  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  @Public()
  @Get(['health', 'healthz'])
  health(): { status: 'ok'; role: string } {
    return { status: 'ok', role: this.config.role };
  }
}
