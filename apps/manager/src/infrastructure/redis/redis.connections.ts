import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';

/**
 * The manager's Redis adapter (BullMQ keeps its own connections): one connection for commands,
 * created lazily, plus dedicated ones for subscriptions. The only importer of ioredis.
 */
@Injectable()
export class RedisConnections implements OnModuleDestroy {
  private readonly logger = new Logger(RedisConnections.name);
  private commands: Redis | undefined;
  private readonly others: Redis[] = [];

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  /** The shared connection for ordinary commands. */
  get client(): Redis {
    this.commands ??= this.connect('commands');
    return this.commands;
  }

  /** A connection of its own (a subscriber cannot send other commands). */
  dedicated(role: string): Redis {
    const connection = this.connect(role);
    this.others.push(connection);
    return connection;
  }

  /** Key prefix shared with the queue, so installations sharing a Redis stay apart. */
  key(...parts: string[]): string {
    return [this.config.queue.prefix, ...parts].join(':');
  }

  async onModuleDestroy(): Promise<void> {
    const connections = [this.commands, ...this.others].filter((connection): connection is Redis => connection !== undefined);
    await Promise.all(connections.map((connection) => connection.quit().catch(() => undefined)));
  }

  private connect(role: string): Redis {
    const redis = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 3, connectionName: `dais-manager-${role}` });
    redis.on('error', (error: Error) => this.logger.error(`redis ${role}: ${error.message}`));
    return redis;
  }
}
