import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiTokenGuard } from './auth/api-token.guard';
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

/** The HTTP API and live events (the `api` role). */
@Module({
  controllers: [
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
    DatabasesService,
    OperationsService,
    EventsGateway,
    { provide: APP_GUARD, useClass: ApiTokenGuard },
    { provide: APP_FILTER, useClass: DaisExceptionFilter },
  ],
})
export class ApiModule {}
