import { describe, expect, it } from 'vitest';
import type { RedisConnections } from '../infrastructure/redis/redis.connections';
import { failing, strictFake } from '../testing/strict-fake';
import type { ReadyRepository } from './ready.repository';
import { ReadinessService } from './ready.service';

function service(pingDatabase: () => Promise<void>, pingRedis: () => Promise<unknown>) {
  const database = strictFake<ReadyRepository>('database', { ping: pingDatabase });
  const redis = strictFake<RedisConnections>('redis', {
    client: strictFake<RedisConnections['client']>('redis.client', { ping: pingRedis as RedisConnections['client']['ping'] }),
  });
  return new ReadinessService(database, redis);
}

describe('readiness', () => {
  it('is ready when PostgreSQL and Redis both answer', async () => {
    const answer = await service(
      () => Promise.resolve(),
      () => Promise.resolve('PONG'),
    ).check();
    expect(answer).toMatchObject({ status: 'ready', failed: [], checks: { postgresql: { ok: true }, redis: { ok: true } } });
  });

  it('names the dependency that failed, without its error text', async () => {
    const answer = await service(failing('password authentication failed for user dais'), () => Promise.resolve('PONG')).check();
    expect(answer).toMatchObject({ status: 'unavailable', failed: ['postgresql'], checks: { postgresql: { ok: false, error: 'error' } } });
    expect(JSON.stringify(answer)).not.toContain('password');
  });
});
