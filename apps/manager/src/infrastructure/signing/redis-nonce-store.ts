import { Injectable } from '@nestjs/common';
import { DaisError, type NonceStore } from '@dais/shared';
import { RedisConnections } from '../redis/redis.connections';

/**
 * The manager's {@link NonceStore}: one Redis key per accepted nonce (`<prefix>:nonce:<key>`, set
 * with `SET … NX PX`), so every API process of one installation refuses what any of them accepted,
 * and a restart forgets nothing. Redis drops each key when it can no longer be replayed anyway.
 */
@Injectable()
export class RedisNonceStore implements NonceStore {
  constructor(private readonly redis: RedisConnections) {}

  async remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    let answer: string | null;
    try {
      answer = await this.redis.client.set(this.redis.key('nonce', key), '1', 'PX', Math.max(1, expiresAt - now), 'NX');
    } catch (error) {
      // Fail closed: without Redis no process can tell a replay from a first request.
      throw new DaisError(
        'REPLAY_CHECK_UNAVAILABLE',
        'Cannot check this request against replays right now (Redis did not answer); try again.',
        undefined,
        {
          cause: error,
        },
      );
    }
    return answer === 'OK';
  }
}
