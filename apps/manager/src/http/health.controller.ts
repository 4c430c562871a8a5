import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../auth/auth.guard';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';

/** Liveness for load balancers and `npm start`: no authentication, no secrets. */
@Controller('healthz')
export class HealthController {
  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  @Public()
  @Get()
  health(): { status: 'ok'; role: string } {
    return { status: 'ok', role: this.config.role };
  }
}
