import { Injectable, Logger } from '@nestjs/common';
import { operationViewSchema, type OperationView } from '@dais/shared';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { OperationEvents } from '../operations/operation-runner';
import { RedisConnections } from '../redis/redis.connections';

/** Events that travel from worker processes to API processes. */
const managerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('operation.updated'), siteId: z.number().int(), operation: operationViewSchema }),
]);

/** One event on the bus. */
export type ManagerEvent = z.infer<typeof managerEventSchema>;

/**
 * Redis pub/sub between manager processes: workers publish what changed, every API process
 * hears it and tells its browsers.
 */
@Injectable()
export class EventBus implements OperationEvents {
  private readonly logger = new Logger(EventBus.name);
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(private readonly redis: RedisConnections) {
    this.channel = redis.key('events');
  }

  /** Publishes an operation change (the runner's {@link OperationEvents}). */
  async operationChanged(siteId: number, operation: OperationView): Promise<void> {
    await this.publish({ type: 'operation.updated', siteId, operation });
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
