import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RedisConnections } from '../../../infrastructure/redis/redis.connections';
import type { PendingOidcLogin } from './oidc.client';

/** How long a person has to sign in at the provider and come back. */
export const OIDC_LOGIN_TTL_SECONDS = 600;

const pendingSchema = z.object({ nonce: z.string().min(1), codeVerifier: z.string().min(1) });

/**
 * Sign-ins in progress, in Redis (shared by every API process), keyed by their random state.
 * Each can be taken once: a callback replayed later finds nothing.
 */
@Injectable()
export class OidcLoginStates {
  constructor(private readonly redis: RedisConnections) {}

  async remember(state: string, pending: PendingOidcLogin): Promise<void> {
    await this.redis.client.set(this.key(state), JSON.stringify(pending), 'EX', OIDC_LOGIN_TTL_SECONDS);
  }

  /** The pending sign-in for a state, removing it; null if unknown, expired or already used. */
  async take(state: string): Promise<PendingOidcLogin | null> {
    const raw = await this.redis.client.getdel(this.key(state));
    if (raw === null) return null;
    const parsed = pendingSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  private key(state: string): string {
    return this.redis.key('oidc-login', state);
  }
}
