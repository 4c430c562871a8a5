import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ApiModule } from './api.module';
import type { ManagerConfig } from './config/manager.config';
import { CoreModule } from './core.module';
import { WorkerModule } from './worker.module';

/** One codebase, three ways to run: API, worker, or both in one process. */
@Module({})
export class AppModule {
  static forRole(config: ManagerConfig): DynamicModule {
    const imports: (DynamicModule | Type)[] = [CoreModule.with(config)];
    if (config.role !== 'worker') imports.push(ApiModule);
    if (config.role !== 'api') imports.push(WorkerModule);
    return { module: AppModule, imports };
  }
}
