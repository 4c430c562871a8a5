import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devEnv } from '../../../test/support/dev-env';
import { eventually } from '../../../test/support/http';
import { loadManagerConfig, type ManagerConfig } from '../src/config/manager.config';
import { PeriodicJobs } from '../src/infrastructure/queue/periodic-jobs';
import { RedisConnections } from '../src/infrastructure/redis/redis.connections';

/** Long enough that a tick (a few ms) ends well before the next one on a busy machine. */
const EVERY_MS = 500;

/** One manager worker process as far as periodic jobs go: its Redis connections and its `PeriodicJobs`. */
interface Member {
  redis: RedisConnections;
  periodic: PeriodicJobs;
}

describe('PeriodicJobs (real Redis, two members of one cluster in this process)', () => {
  let config: ManagerConfig;
  let members: Member[];

  beforeEach(() => {
    config = loadManagerConfig({
      DATABASE_URL: 'postgresql://unused@localhost/unused',
      REDIS_URL: devEnv().redisUrl,
      DAIS_QUEUE_PREFIX: `test-periodic-${randomBytes(3).toString('hex')}`,
    });
    members = [0, 1].map(() => {
      const redis = new RedisConnections(config);
      return { redis, periodic: new PeriodicJobs(config, redis) };
    });
  });

  afterEach(async () => {
    for (const member of members) await member.periodic.onModuleDestroy();
    const [first] = members;
    if (first) {
      const keys = await first.redis.client.keys(`${config.queue.prefix}:*`);
      if (keys.length > 0) await first.redis.client.del(...keys);
    }
    for (const member of members) await member.redis.onModuleDestroy();
  });

  it('hands each tick what the previous tick returned, whichever member ran it: a cluster-wide count with no tick twice', async () => {
    // Each tick returns one more than it was handed: with one schedule and one run per tick the
    // values handed out are 0, 1, 2, … across both members; a tick run twice, a second schedule or
    // a memory per member would hand some value out twice.
    const handed: { member: number; previous: number }[] = [];
    members.forEach((member, index) =>
      member.periodic.scheduleCarrying<number>('count', EVERY_MS, (previous) => {
        handed.push({ member: index, previous: previous ?? 0 });
        return Promise.resolve((previous ?? 0) + 1);
      }),
    );
    const tookTicks = (member: number) => handed.some((tick) => tick.member === member);
    // Until both members have taken ticks: a memory per member would show only then.
    await eventually(
      () => Promise.resolve(handed),
      (ticks) => ticks.length >= 6 && tookTicks(0) && tookTicks(1),
      30_000,
    );
    expect([tookTicks(0), tookTicks(1)], JSON.stringify(handed)).toEqual([true, true]);
    const values = handed.map((tick) => tick.previous);
    expect(values, JSON.stringify(handed)).toEqual(values.map((_, index) => index));
  });

  it('keeps what a tick hands on for two intervals at most: an older value is not the previous tick’s', async () => {
    const [member] = members;
    member?.periodic.scheduleCarrying<string>('remember', EVERY_MS, () => Promise.resolve('seen'));
    const key = `${config.queue.prefix}:periodic-carry:remember`;
    const ttl = await eventually(
      () => member?.redis.client.pttl(key) ?? Promise.resolve(-2),
      (ms) => ms > 0,
      30_000,
    );
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * EVERY_MS);
  });
});
