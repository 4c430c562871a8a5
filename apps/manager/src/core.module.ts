import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccessRevocation } from './auth/access-revocation';
import { SessionRepository } from './auth/session.repository';
import { UserRepository } from './auth/user.repository';
import { AuditService } from './audit/audit.service';
import { RedisConnections } from './redis/redis.connections';
import { OrchestratorClient, RouterClient } from './clients/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from './config/manager.config';
import { PrismaService } from './database/prisma.service';
import { DatabaseRepository } from './databases/database.repository';
import { EventBus } from './events/event-bus';
import { ImageRepository } from './images/image.repository';
import { OperationLauncher } from './operations/operation-launcher';
import { OperationRepository } from './operations/operation.repository';
import { OperationQueue } from './queue/operation-queue';
import { SecretBox } from './secrets/secret-box';
import { SecretRepository } from './secrets/secret.repository';
import { SecretsStartup } from './secrets/secrets-startup';
import { SiteRepository } from './sites/site.repository';
import { SshKeyRepository } from './ssh-keys/ssh-key.repository';

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
