import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../features/auth/auth.guard';
import type { ReadinessView } from '@dais/shared';
import { ReadinessService } from './ready.service';

/**
 * `GET /ready` for load balancers and orchestration: 200 when PostgreSQL and Redis answer, 503
 * naming the ones that did not. `/health` only says the process is up.
 */
@Controller('ready')
export class ReadyController {
  constructor(private readonly readiness: ReadinessService) {}

  @Public()
  @Get()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessView> {
    const readiness = await this.readiness.check();
    void reply.status(readiness.status === 'ready' ? 200 : 503).header('cache-control', 'no-store');
    return readiness;
  }
}
