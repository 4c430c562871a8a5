import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { isDaisError } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnv } from '../../../test/support/dev-env';
import { LoginRateLimiter } from '../src/features/auth/login-rate-limiter';
import { loadManagerConfig } from '../src/config/manager.config';
import { RedisConnections } from '../src/infrastructure/redis/redis.connections';

const BASE = 1_000;
const ACCOUNT_CAP = 30_000;
const CAP = 900_000;

/** How long `admit` says to wait (0 when admitted), on the limiter's own Redis script, with a clock the test sets. */
async function waitOf(limiter: LoginRateLimiter, username: string, ip: string, now: number): Promise<number> {
  try {
    await limiter.admit(username, ip, now);
    return 0;
  } catch (error) {
    if (!isDaisError(error, 'RATE_LIMITED')) throw error;
    return Number(error.details?.retryAfterMs);
  }
}

describe('the sign-in limiter (real Redis, a clock the test sets)', () => {
  let redis: RedisConnections;
  let limiter: LoginRateLimiter;
  let prefix: string;
  /** A fresh account name per test, so tests never share counts. */
  const account = () => `user-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    prefix = `test-limiter-${randomBytes(3).toString('hex')}`;
    const config = loadManagerConfig({
      DATABASE_URL: 'postgresql://unused@localhost/unused',
      REDIS_URL: devEnv().redisUrl,
      DAIS_QUEUE_PREFIX: prefix,
      DAIS_LOGIN_BASE_DELAY_MS: String(BASE),
      DAIS_LOGIN_MAX_DELAY_SECONDS: String(CAP / 1000),
      DAIS_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: String(ACCOUNT_CAP / 1000),
    });
    redis = new RedisConnections(config);
    limiter = new LoginRateLimiter(redis, config);
  });

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.onModuleDestroy();
  });

  it('lets one address try an account five times, then doubles the wait after each failure, up to the cap', async () => {
    const name = account();
    let now = 1_000_000;
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await waitOf(limiter, name, '10.0.0.1', now)).toBe(0);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const wait = await waitOf(limiter, name, '10.0.0.1', now);
      waits.push(wait);
      // Refused attempts cost nothing and count nothing: asking again at once gets the same answer.
      expect(await waitOf(limiter, name, '10.0.0.1', now)).toBe(wait);
      now += wait;
      expect(await waitOf(limiter, name, '10.0.0.1', now)).toBe(0);
    }
    expect(waits.slice(0, 5)).toEqual([BASE, 2 * BASE, 4 * BASE, 8 * BASE, 16 * BASE]);
    expect(Math.max(...waits)).toBe(CAP);
  });

  it('makes an address new to an account under attack wait once, from its own first try, at most the account cap', async () => {
    const name = account();
    let now = 5_000_000;
    for (let address = 0; address < 10; address += 1) expect(await waitOf(limiter, name, `10.1.0.${address}`, now++)).toBe(0);
    // Ten failures from anywhere: a new address waits the base delay once, then tries.
    expect(await waitOf(limiter, name, '10.1.1.1', now)).toBe(BASE);
    expect(await waitOf(limiter, name, '10.1.1.1', now + BASE - 1)).toBe(1);
    expect(await waitOf(limiter, name, '10.1.1.1', now + BASE)).toBe(0);
    // Many more failures, each address waiting its turn and then failing: the turns grow, but the
    // owner's new address still waits no more than the account cap.
    const turns: number[] = [];
    for (let address = 0; address < 30; address += 1) {
      const turn = await waitOf(limiter, name, `10.1.2.${address}`, now);
      turns.push(turn);
      now += turn;
      expect(await waitOf(limiter, name, `10.1.2.${address}`, now)).toBe(0);
    }
    expect(turns.slice(0, 4)).toEqual([2 * BASE, 4 * BASE, 8 * BASE, 16 * BASE]);
    expect(await waitOf(limiter, name, '203.0.113.7', now)).toBe(ACCOUNT_CAP);
    expect(await waitOf(limiter, name, '203.0.113.7', now + ACCOUNT_CAP)).toBe(0);
  });

  it('takes a right attempt back: the pair starts afresh and the account and address counts drop', async () => {
    const name = account();
    const now = 9_000_000;
    for (let attempt = 0; attempt < 5; attempt += 1) await waitOf(limiter, name, '10.2.0.1', now);
    await limiter.succeeded(name, '10.2.0.1');
    for (let attempt = 0; attempt < 4; attempt += 1) expect(await waitOf(limiter, name, '10.2.0.1', now)).toBe(0);
    // 5 + 4 admitted, one taken back: 8 failures count against the account.
    const key = `${prefix}:login-limit:account:${Buffer.from(name).toString('base64url')}`;
    expect(Number(await redis.client.hget(key, 'n'))).toBe(8);
  });

  it('slows an address that sprays many accounts after fifty failures', async () => {
    const now = 12_000_000;
    for (let attempt = 0; attempt < 50; attempt += 1) expect(await waitOf(limiter, account(), '10.3.0.1', now)).toBe(0);
    expect(await waitOf(limiter, account(), '10.3.0.1', now)).toBe(BASE);
    expect(await waitOf(limiter, account(), '10.3.0.2', now)).toBe(0);
  });

  it('admits no more than the free attempts when they arrive all at once', async () => {
    const name = account();
    const waits = await Promise.all(Array.from({ length: 20 }, () => waitOf(limiter, name, '10.4.0.1', 15_000_000)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
  });

  it('keeps account names apart whatever they contain, lone surrogates included', async () => {
    const now = 20_000_000;
    for (let attempt = 0; attempt < 5; attempt += 1) await waitOf(limiter, 'a:10.5.0.1', '10.5.0.2', now);
    expect(await waitOf(limiter, 'a', '10.5.0.1:10.5.0.2', now)).toBe(0);
    expect(await waitOf(limiter, 'A:10.5.0.1', '10.5.0.2', now)).toBe(BASE);
    expect(await waitOf(limiter, '\ud800', '10.5.0.3', now)).toBe(0);
  });
});
