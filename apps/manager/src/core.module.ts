import { Global, Module, type DynamicModule } from '@nestjs/common';
import { UserRepository } from './auth/user.repository';
import { MANAGER_CONFIG, type ManagerConfig } from './config/manager.config';
import { PrismaService } from './database/prisma.service';
import { EventBus } from './events/event-bus';
import { OperationRepository } from './operations/operation.repository';
import { OperationQueue } from './queue/operation-queue';
import { SiteRepository } from './sites/site.repository';

const shared = [PrismaService, SiteRepository, OperationRepository, UserRepository, OperationQueue, EventBus];

/** What every manager process needs: config, PostgreSQL, the queue and the event bus. */
@Global()
@Module({})
export class CoreModule {
  static with(config: ManagerConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: MANAGER_CONFIG, useValue: config }, ...shared],
      exports: [MANAGER_CONFIG, ...shared],
    };
  }
}
