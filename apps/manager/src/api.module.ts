import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './features/audit/audit.controller';
import { AuthController, TokensController } from './features/auth/auth.controller';
import { AuthGuard } from './features/auth/auth.guard';
import { AuthService } from './features/auth/auth.service';
import { LoginRateLimiter } from './features/auth/login-rate-limiter';
import { OidcClient } from './features/auth/oidc/oidc.client';
import { OidcController } from './features/auth/oidc/oidc.controller';
import { OidcLoginStates } from './features/auth/oidc/oidc-login-states';
import { OidcService } from './features/auth/oidc/oidc.service';
import { DatabaseQueryController } from './features/site-databases/database-query.controller';
import { DatabaseQueryService } from './features/site-databases/database-query.service';
import { DatabaseHostsController, SiteDatabaseController } from './features/site-databases/databases.controller';
import { DatabasesService } from './features/site-databases/databases.service';
import { DomainProofModule } from './features/domains/domain-proof.module';
import { DomainsController } from './features/domains/domains.controller';
import { DomainsService } from './features/domains/domains.service';
import { EventsGateway } from './features/site-events/events.gateway';
import { FilesModule } from './features/files/files.module';
import { AppHostsController, RoutersController } from './features/fleet/fleet.controller';
import { FleetModule } from './features/fleet/fleet.module';
import { ImagesController } from './features/images/images.controller';
import { LIVE_PROVIDERS } from './features/live/live.providers';
import { MemberRepository } from './features/members/member.repository';
import { MembersController } from './features/members/members.controller';
import { MembersService } from './features/members/members.service';
import { DaisExceptionFilter } from './http/dais-exception.filter';
import { DocsController } from './http/docs.controller';
import { HealthController } from './http/health.controller';
import { OpenApiController } from './http/openapi.controller';
import { ReadyController } from './http/ready.controller';
import { ReadyRepository } from './http/ready.repository';
import { ReadinessService } from './http/ready.service';
import { MetricsController } from './features/metrics/metrics.controller';
import { MetricsService } from './features/metrics/metrics.service';
import { OperationsController } from './features/operations/operations.controller';
import { OperationsService } from './features/operations/operations.service';
import { PlatformController } from './features/platform/platform.controller';
import { PlatformService } from './features/platform/platform.service';
import { KeyProofVerifier } from './features/shell-server/key-proof-verifier';
import { ShellAccessService } from './features/shell-server/shell-access.service';
import { ShellServerController } from './features/shell-server/shell-server.controller';
import { ShellServerGuard } from './features/shell-server/shell-server.guard';
import { RedisNonceStore } from './infrastructure/signing/redis-nonce-store';
import { SitesController } from './features/sites/sites.controller';
import { SitesService } from './features/sites/sites.service';
import { SshKeysController } from './features/ssh-keys/ssh-keys.controller';
import { SshKeysService } from './features/ssh-keys/ssh-keys.service';
import { UsersController } from './features/users/users.controller';
import { UsersService } from './features/users/users.service';
import { WebAppController } from './http/web-app/web-app.controller';

/** The HTTP API and live events (the `api` role). */
@Module({
  imports: [FilesModule, DomainProofModule, FleetModule],
  controllers: [
    AuthController,
    TokensController,
    OidcController,
    SshKeysController,
    UsersController,
    AuditController,
    ShellServerController,
    SitesController,
    DomainsController,
    MembersController,
    SiteDatabaseController,
    DatabaseQueryController,
    DatabaseHostsController,
    AppHostsController,
    RoutersController,
    ImagesController,
    OperationsController,
    HealthController,
    ReadyController,
    MetricsController,
    OpenApiController,
    DocsController,
    PlatformController,
    WebAppController,
  ],
  providers: [
    SitesService,
    DomainsService,
    MembersService,
    MemberRepository,
    AuthService,
    LoginRateLimiter,
    OidcClient,
    OidcLoginStates,
    OidcService,
    SshKeysService,
    UsersService,
    ShellAccessService,
    ShellServerGuard,
    KeyProofVerifier,
    RedisNonceStore,
    DatabasesService,
    DatabaseQueryService,
    ReadyRepository,
    ReadinessService,
    MetricsService,
    OperationsService,
    PlatformService,
    EventsGateway,
    ...LIVE_PROVIDERS,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: DaisExceptionFilter },
  ],
})
export class ApiModule {}
