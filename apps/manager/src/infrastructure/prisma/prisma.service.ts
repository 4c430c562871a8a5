import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PrismaClient } from '../../generated/prisma/client';

/**
 * The manager's one connection pool to PostgreSQL. Only repositories use it; services see
 * repository methods, never queries.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
