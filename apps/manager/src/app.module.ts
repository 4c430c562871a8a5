import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { ManagerConfig } from './config/manager.config';
import { CoreModule } from './core.module';
import type { SecretBox } from './infrastructure/secrets/secret-box';

/** One codebase, three ways to run: API, worker, or both in one process. */
@Module({})
export class AppModule {
  /**
   * Each role loads only its own code: a worker never loads the HTTP API, its controllers or
   * Socket.IO, which keeps an idle worker process about 10 MB smaller (bench/RESULTS.md).
   */
  static async forRole(config: ManagerConfig, secrets: SecretBox): Promise<DynamicModule> {
    const imports: (DynamicModule | Type)[] = [CoreModule.with(config, secrets)];
    if (config.role !== 'worker') imports.push((await import('./api.module.js')).ApiModule);
    if (config.role !== 'api') imports.push((await import('./worker.module.js')).WorkerModule);
    return { module: AppModule, imports };
  }
}
