import { Inject, Injectable } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { RedisConnections } from '../../infrastructure/redis/redis.connections';

/**
 * Failures allowed before each delay starts, and how long a quiet key is remembered. An address
 * (possibly a whole school behind one NAT) gets many; one account from one address a few; the
 * account as a whole, from every address together, some more.
 */
export const LOGIN_LIMITS = { freeByAddress: 50, freeByPair: 5, freeByAccount: 10, windowMs: 60 * 60_000 } as const;

/**
 * Admits one attempt or says how long to wait, atomically (parallel attempts cannot all slip
 * through one free slot). KEYS: address, account+address pair, account, the pair's ticket.
 * ARGV: now, base, address free, address cap, pair free, pair cap, account free, account cap, window.
 * An admitted attempt is counted at once, as a failure until {@link SUCCESS_SCRIPT} takes it back.
 */
const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
-- How long to wait (ms) after the last counted attempt, when n are counted and free are allowed.
local function delay(n, free, cap)
  if n < free then return 0 end
  return math.floor(math.min(cap, base * 2 ^ math.min(n - free, 40)))
end
local function wait(key, free, cap)
  local n = tonumber(redis.call('HGET', key, 'n') or '0')
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  return delay(n, free, cap) - (now - last)
end
local window = tonumber(ARGV[9])
local longest = math.max(wait(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4])), wait(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6])))
-- The account as a whole: an address new to it waits its turn once, from its own first attempt, so
-- a stranger failing elsewhere delays the owner by at most the (low) account cap, never for good.
local accountDelay = delay(tonumber(redis.call('HGET', KEYS[3], 'n') or '0'), tonumber(ARGV[7]), tonumber(ARGV[8]))
if accountDelay > 0 then
  local ticket = redis.call('GET', KEYS[4])
  if not ticket then
    redis.call('SET', KEYS[4], now + accountDelay, 'PX', window)
    longest = math.max(longest, accountDelay)
  else
    longest = math.max(longest, tonumber(ticket) - now)
  end
end
if longest > 0 then return math.ceil(longest) end
for i = 1, 3 do
  redis.call('HINCRBY', KEYS[i], 'n', 1)
  redis.call('HSET', KEYS[i], 'last', now)
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0`;

/** The admitted attempt was right: it stops counting, and the pair starts afresh. KEYS: address, pair, account. */
const SUCCESS_SCRIPT = `
redis.call('DEL', KEYS[2])
for _, key in ipairs({KEYS[1], KEYS[3]}) do
  local n = tonumber(redis.call('HGET', key, 'n') or '0')
  if n > 0 then redis.call('HINCRBY', key, 'n', -1) end
end
return 0`;

/**
 * Slows password guessing without letting anyone lock an account: every attempt is admitted or
 * told how long to wait (`429 RATE_LIMITED`, `Retry-After`), never refused for good. Three counts
 * in Redis, shared by every API process and the shell's password sign-in:
 *
 * - per address: one address spraying many accounts waits 2^(n−50) × base, up to the cap;
 * - per account and address: one address guessing one account waits 2^(n−5) × base, up to the cap;
 * - per account: once it failed 10 times from anywhere, each address new to it waits 2^(n−10) ×
 *   base, at most the (short) account cap, once; after that only its own counts slow it.
 *
 * So a stranger's failures slow the stranger exponentially, and delay the owner, from an address
 * that was not failing, by at most the account cap.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    private readonly redis: RedisConnections,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Admits one attempt (counted as a failure until {@link succeeded}); throws RATE_LIMITED saying how long to wait. */
  async admit(username: string, ip: string | null, now = Date.now()): Promise<void> {
    const { baseDelayMs, maxDelayMs, accountMaxDelayMs } = this.config.login;
    const waitMs = Number(
      await this.redis.client.eval(
        ADMIT_SCRIPT,
        4,
        ...this.keys(username, ip),
        this.key('ticket', ...this.names(username, ip)),
        now,
        baseDelayMs,
        LOGIN_LIMITS.freeByAddress,
        maxDelayMs,
        LOGIN_LIMITS.freeByPair,
        maxDelayMs,
        LOGIN_LIMITS.freeByAccount,
        accountMaxDelayMs,
        LOGIN_LIMITS.windowMs,
      ),
    );
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new DaisError('RATE_LIMITED', `Too many failed sign-ins; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, {
        retryAfterSeconds: seconds,
        retryAfterMs: waitMs,
      });
    }
  }

  /** The admitted attempt was right: it no longer counts against the address or the account. */
  async succeeded(username: string, ip: string | null): Promise<void> {
    await this.redis.client.eval(SUCCESS_SCRIPT, 3, ...this.keys(username, ip));
  }

  private keys(username: string, ip: string | null): [string, string, string] {
    const [account, address] = this.names(username, ip);
    return [this.key('address', address), this.key('pair', account, address), this.key('account', account)];
  }

  /**
   * The account as typed (any characters, even a lone surrogate: so base64url of its UTF-8, in which
   * no `:` can make two keys meet) and the address.
   */
  private names(username: string, ip: string | null): [string, string] {
    return [Buffer.from(username.toLowerCase(), 'utf8').toString('base64url'), ip ?? 'unknown'];
  }

  private key(...parts: string[]): string {
    return this.redis.key('login-limit', ...parts);
  }
}
