import { Injectable } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import { RedisConnections } from '../redis/redis.connections';

/** Failed sign-ins allowed per window before further attempts are refused. */
export const LOGIN_LIMITS = { perAccount: 10, perAddress: 50, windowSeconds: 15 * 60 } as const;

/**
 * Counts failed sign-ins per account and per client address in Redis (shared by every API
 * process), and refuses attempts past the limits until the window ends.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(private readonly redis: RedisConnections) {}

  /** Throws RATE_LIMITED if this account or address failed too often recently. */
  async assertAllowed(username: string, ip: string | null): Promise<void> {
    const [account, address] = await this.redis.client.mget(this.accountKey(username), this.addressKey(ip));
    const blocked =
      Number(account ?? 0) >= LOGIN_LIMITS.perAccount
        ? 'this account'
        : Number(address ?? 0) >= LOGIN_LIMITS.perAddress
          ? 'your address'
          : null;
    if (blocked) {
      const ttl = await this.redis.client.ttl(blocked === 'this account' ? this.accountKey(username) : this.addressKey(ip));
      throw new DaisError(
        'RATE_LIMITED',
        `Too many failed sign-ins for ${blocked}; try again in ${Math.max(1, Math.ceil(ttl / 60))} minute(s).`,
        {
          retryAfterSeconds: Math.max(1, ttl),
        },
      );
    }
  }

  /** Records a failure (the window starts at the first one). */
  async recordFailure(username: string, ip: string | null): Promise<void> {
    const pipeline = this.redis.client.multi();
    for (const key of [this.accountKey(username), this.addressKey(ip)]) {
      pipeline.incr(key);
      pipeline.expire(key, LOGIN_LIMITS.windowSeconds, 'NX');
    }
    await pipeline.exec();
  }

  /** A success clears the account's count (the address keeps its own). */
  async recordSuccess(username: string): Promise<void> {
    await this.redis.client.del(this.accountKey(username));
  }

  private accountKey(username: string): string {
    return this.redis.key('login-failures', 'account', username.toLowerCase());
  }

  private addressKey(ip: string | null): string {
    return this.redis.key('login-failures', 'address', ip ?? 'unknown');
  }
}
