import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  addAppHostRequestSchema,
  addRouterRequestSchema,
  fleetNameParamsSchema,
  parseInput,
  type AppHostView,
  type RouterView,
} from '@dais/shared';
import { assertAdmin, CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { toAppHostView, toRouterView } from './fleet-views';
import { FleetService } from './fleet.service';

const nameOf = (params: unknown) => parseInput(fleetNameParamsSchema, params, 'path').name;

/** `/api/admin/app-hosts` (admins): the orchestrators the manager drives (docs/fleet.md). */
@Controller('api/admin/app-hosts')
export class AppHostsController {
  constructor(private readonly fleet: FleetService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser): Promise<{ appHosts: AppHostView[] }> {
    assertAdmin(user, 'see app hosts');
    return { appHosts: (await this.fleet.listAppHosts()).map(toAppHostView) };
  }

  @Post()
  @HttpCode(201)
  async add(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<AppHostView> {
    assertAdmin(user, 'add app hosts');
    return toAppHostView(await this.fleet.addAppHost(user, parseInput(addAppHostRequestSchema, body, 'app host')));
  }

  @Post(':name/drain')
  @HttpCode(200)
  async drain(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<AppHostView> {
    assertAdmin(user, 'drain app hosts');
    return toAppHostView(await this.fleet.drain(user, nameOf(params)));
  }

  @Post(':name/undrain')
  @HttpCode(200)
  async undrain(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<AppHostView> {
    assertAdmin(user, 'undrain app hosts');
    return toAppHostView(await this.fleet.undrain(user, nameOf(params)));
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<void> {
    assertAdmin(user, 'remove app hosts');
    await this.fleet.removeAppHost(user, nameOf(params));
  }
}

/** `/api/admin/routers` (admins): the routers the manager drives (docs/fleet.md). */
@Controller('api/admin/routers')
export class RoutersController {
  constructor(private readonly fleet: FleetService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser): Promise<{ routers: RouterView[] }> {
    assertAdmin(user, 'see routers');
    return { routers: (await this.fleet.listRouters()).map(toRouterView) };
  }

  @Post()
  @HttpCode(201)
  async add(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<RouterView> {
    assertAdmin(user, 'add routers');
    return toRouterView(await this.fleet.addRouter(user, parseInput(addRouterRequestSchema, body, 'router')));
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<void> {
    assertAdmin(user, 'remove routers');
    await this.fleet.removeRouter(user, nameOf(params));
  }
}
