import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { AuthController, TokensController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginRateLimiter } from './auth/login-rate-limiter';
import { SessionJanitor } from './auth/session-janitor';
import { OidcClient } from './auth/oidc/oidc.client';
import { OidcController } from './auth/oidc/oidc.controller';
import { OidcLoginStates } from './auth/oidc/oidc-login-states';
import { OidcService } from './auth/oidc/oidc.service';
import { DatabaseQueryController } from './databases/database-query.controller';
import { DatabaseQueryService } from './databases/database-query.service';
import { DatabaseHostsController, SiteDatabaseController } from './databases/databases.controller';
import { DatabasesService } from './databases/databases.service';
import { DomainProofModule } from './domains/domain-proof.module';
import { DomainsController } from './domains/domains.controller';
import { DomainsService } from './domains/domains.service';
import { EventsGateway } from './events/events.gateway';
import { FilesModule } from './files/files.module';
import { ImagesController } from './images/images.controller';
import { LIVE_PROVIDERS } from './live/live.providers';
import { MemberRepository } from './members/member.repository';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';
import { DaisExceptionFilter } from './http/dais-exception.filter';
import { DocsController } from './http/docs.controller';
import { HealthController } from './http/health.controller';
import { OpenApiController } from './http/openapi.controller';
import { ReadyController } from './http/ready.controller';
import { ReadyRepository } from './http/ready.repository';
import { ReadinessService } from './http/ready.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { PlatformController } from './platform/platform.controller';
import { PlatformService } from './platform/platform.service';
import { KeyProofVerifier } from './shell-server/key-proof-verifier';
import { ShellAccessService } from './shell-server/shell-access.service';
import { ShellServerController } from './shell-server/shell-server.controller';
import { ShellServerGuard } from './shell-server/shell-server.guard';
import { RedisNonceStore } from './signing/redis-nonce-store';
import { SitesController } from './sites/sites.controller';
import { SitesService } from './sites/sites.service';
import { SshKeysController } from './ssh-keys/ssh-keys.controller';
import { SshKeysService } from './ssh-keys/ssh-keys.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';
import { WebAppController } from './web-app/web-app.controller';

/** The HTTP API and live events (the `api` role). */
@Module({
  imports: [FilesModule, DomainProofModule],
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
    SessionJanitor,
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
