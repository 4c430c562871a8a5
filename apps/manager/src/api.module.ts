import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { AuthController, TokensController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginRateLimiter } from './auth/login-rate-limiter';
import { DatabaseHostsController, SiteDatabaseController } from './databases/databases.controller';
import { DatabasesService } from './databases/databases.service';
import { EventsGateway } from './events/events.gateway';
import { ImagesController } from './images/images.controller';
import { DaisExceptionFilter } from './http/dais-exception.filter';
import { HealthController } from './http/health.controller';
import { OpenApiController } from './http/openapi.controller';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { SitesController } from './sites/sites.controller';
import { SitesService } from './sites/sites.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** The HTTP API and live events (the `api` role). */
@Module({
  controllers: [
    AuthController,
    TokensController,
    UsersController,
    AuditController,
    SitesController,
    SiteDatabaseController,
    DatabaseHostsController,
    ImagesController,
    OperationsController,
    HealthController,
    OpenApiController,
  ],
  providers: [
    SitesService,
    AuthService,
    LoginRateLimiter,
    UsersService,
    DatabasesService,
    OperationsService,
    EventsGateway,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: DaisExceptionFilter },
  ],
})
export class ApiModule {}
