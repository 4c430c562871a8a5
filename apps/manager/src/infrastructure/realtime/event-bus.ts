import { Injectable, Logger } from '@nestjs/common';
import { operationViewSchema, siteViewSchema, type OperationView, type SiteView } from '@dais/shared';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { RedisConnections } from '../redis/redis.connections';

/** Events that travel between manager processes (workers and API processes alike publish). */
const managerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('operation.updated'), siteId: z.number().int(), operation: operationViewSchema }),
  /** The site as it is after one of its operations ended. */
  z.object({ type: z.literal('site.updated'), siteId: z.number().int(), site: siteViewSchema }),
  /** A user is no longer a member: their live updates for the site stop. */
  z.object({ type: z.literal('member.removed'), siteId: z.number().int(), userId: z.number().int() }),
  /** An admin locked the site (availability `disabled`): its owners' live streams close. */
  z.object({ type: z.literal('site.locked'), siteId: z.number().int() }),
  /** A user's account or credentials changed (sign-out, password, role, disabled, revoked token). */
  z.object({ type: z.literal('user.changed'), userId: z.number().int() }),
]);

/** One event on the bus. */
export type ManagerEvent = z.infer<typeof managerEventSchema>;

/**
 * Redis pub/sub between manager processes: workers publish what changed, every API process
 * hears it and tells its browsers.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(private readonly redis: RedisConnections) {
    this.channel = redis.key('events');
  }

  /** Publishes an operation change. */
  async operationChanged(siteId: number, operation: OperationView): Promise<void> {
    await this.publish({ type: 'operation.updated', siteId, operation });
  }

  /** Publishes a site as it is now. */
  async siteUpdated(siteId: number, site: SiteView): Promise<void> {
    await this.publish({ type: 'site.updated', siteId, site });
  }

  /** Publishes that a user left a site (or was removed from it). */
  async memberRemoved(siteId: number, userId: number): Promise<void> {
    await this.publish({ type: 'member.removed', siteId, userId });
  }

  /** Publishes that an admin locked a site. */
  async siteLocked(siteId: number): Promise<void> {
    await this.publish({ type: 'site.locked', siteId });
  }

  /** Publishes that a user's account or credentials changed: their sockets are checked again. */
  async userChanged(userId: number): Promise<void> {
    await this.publish({ type: 'user.changed', userId });
  }

  /** Sends an event to every API process. */
  async publish(event: ManagerEvent): Promise<void> {
    await this.redis.client.publish(this.channel, JSON.stringify(event));
  }

  /** Calls `handler` for every event published by any process; resolves once subscribed. */
  async subscribe(handler: (event: ManagerEvent) => void): Promise<void> {
    this.subscriber ??= this.redis.dedicated('subscriber');
    this.subscriber.on('message', (_channel: string, message: string) => {
      const parsed = managerEventSchema.safeParse(safeJson(message));
      if (parsed.success) handler(parsed.data);
      else this.logger.warn('ignored a malformed event on the bus');
    });
    await this.subscriber.subscribe(this.channel);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
