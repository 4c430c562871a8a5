import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, Public } from '../auth/auth.guard';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { MetricsService } from './metrics.service';

/** Compares two secrets in constant time, whatever their lengths (their digests have one length). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `GET /metrics` in Prometheus' text format. Without `DAIS_METRICS_TOKEN` it is public like a
 * health check (keep it on the monitoring network, see docs/deployment.md); with it, a scrape must
 * send `Authorization: Bearer <token>`, so it is safe where anyone can reach the manager.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  @Public()
  @Get()
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const expected = this.config.metrics.token;
    if (expected !== null && !sameSecret(bearerToken(request.headers.authorization) ?? '', expected)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new DaisError('UNAUTHENTICATED', 'The metrics need the scrape token: send "Authorization: Bearer <DAIS_METRICS_TOKEN>".');
    }
    const { contentType, body } = await this.metrics.scrape();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
