import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccessRevocation } from './features/auth/access-revocation';
import { SessionRepository } from './features/auth/session.repository';
import { UserRepository } from './features/auth/user.repository';
import { AuditService } from './features/audit/audit.service';
import { RedisConnections } from './infrastructure/redis/redis.connections';
import { OrchestratorClient, RouterClient } from './infrastructure/peers/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from './config/manager.config';
import { PrismaService } from './infrastructure/prisma/prisma.service';
import { DatabaseRepository } from './features/site-databases/database.repository';
import { EventBus } from './infrastructure/realtime/event-bus';
import { ImageRepository } from './features/images/image.repository';
import { OperationLauncher } from './features/operations/operation-launcher';
import { OperationRepository } from './features/operations/operation.repository';
import { OperationQueue } from './infrastructure/queue/operation-queue';
import { Clock } from './infrastructure/clock';
import { SecretBox } from './infrastructure/secrets/secret-box';
import { SecretRepository } from './infrastructure/secrets/secret.repository';
import { SecretsStartup } from './infrastructure/secrets/secrets-startup';
import { SiteRepository } from './features/sites/site.repository';
import { SshKeyRepository } from './features/ssh-keys/ssh-key.repository';

const shared = [
  PrismaService,
  SiteRepository,
  OperationRepository,
  UserRepository,
  SessionRepository,
  SshKeyRepository,
  AuditService,
  RedisConnections,
  ImageRepository,
  DatabaseRepository,
  OperationQueue,
  OperationLauncher,
  EventBus,
  OrchestratorClient,
  RouterClient,
  SecretRepository,
  AccessRevocation,
  Clock,
];

/**
 * What every manager process needs: config, the secrets keys (read by main before anything starts),
 * PostgreSQL, the queue, the event bus and the peer clients.
 */
@Global()
@Module({})
export class CoreModule {
  static with(config: ManagerConfig, secrets: SecretBox): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: MANAGER_CONFIG, useValue: config }, { provide: SecretBox, useValue: secrets }, ...shared, SecretsStartup],
      exports: [MANAGER_CONFIG, SecretBox, ...shared],
    };
  }
}
