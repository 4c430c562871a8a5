import { Injectable, Logger } from '@nestjs/common';
import type { ReadinessCheck, ReadinessView } from '@dais/shared';
import { TimeoutExceeded, withTimeout } from '../features/metrics/with-timeout';
import { RedisConnections } from '../infrastructure/redis/redis.connections';
import { ReadyRepository } from './ready.repository';

/** How long each dependency may take to answer before the process counts as not ready. */
const CHECK_TIMEOUT_MS = 1_500;

/** Whether this API process can serve: PostgreSQL and Redis both answer within a short time. */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger(ReadinessService.name);

  constructor(
    private readonly database: ReadyRepository,
    private readonly redis: RedisConnections,
  ) {}

  async check(): Promise<ReadinessView> {
    const [postgresql, redis] = await Promise.all([
      this.probe('postgresql', () => this.database.ping()),
      this.probe('redis', async () => {
        await this.redis.client.ping();
      }),
    ]);
    const checks = { postgresql, redis };
    const failed = (['postgresql', 'redis'] as const).filter((name) => !checks[name].ok);
    return { status: failed.length === 0 ? 'ready' : 'unavailable', checks, failed };
  }

  private async probe(name: string, ping: () => Promise<void>): Promise<ReadinessCheck> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await withTimeout(ping(), CHECK_TIMEOUT_MS);
      return { ok: true, ms: elapsed() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`readiness: ${name} did not answer: ${message}`);
      return { ok: false, ms: elapsed(), error: error instanceof TimeoutExceeded ? 'timeout' : 'error' };
    }
  }
}
