import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { operationViewSchema, type OperationView } from '@dais/shared';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import type { OperationEvents } from '../operations/operation-runner';

/** Events that travel from worker processes to API processes. */
const managerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('operation.updated'), siteId: z.number().int(), operation: operationViewSchema }),
]);

/** One event on the bus. */
export type ManagerEvent = z.infer<typeof managerEventSchema>;

/**
 * Redis pub/sub between manager processes: workers publish what changed, every API process
 * hears it and tells its browsers. The Redis adapter for events; only this file imports ioredis.
 */
@Injectable()
export class EventBus implements OperationEvents, OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private readonly channel: string;
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {
    this.channel = `${config.queue.prefix}:events`;
  }

  /** Publishes an operation change (the runner's {@link OperationEvents}). */
  async operationChanged(siteId: number, operation: OperationView): Promise<void> {
    await this.publish({ type: 'operation.updated', siteId, operation });
  }

  /** Sends an event to every API process. */
  async publish(event: ManagerEvent): Promise<void> {
    this.publisher ??= this.connect('publisher');
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  /** Calls `handler` for every event published by any process; resolves once subscribed. */
  async subscribe(handler: (event: ManagerEvent) => void): Promise<void> {
    this.subscriber ??= this.connect('subscriber');
    this.subscriber.on('message', (_channel: string, message: string) => {
      const parsed = managerEventSchema.safeParse(safeJson(message));
      if (parsed.success) handler(parsed.data);
      else this.logger.warn('ignored a malformed event on the bus');
    });
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.publisher?.quit(), this.subscriber?.quit()]);
  }

  private connect(role: string): Redis {
    const redis = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 3, connectionName: `dais-manager-${role}` });
    redis.on('error', (error: Error) => this.logger.error(`redis ${role}: ${error.message}`));
    return redis;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
