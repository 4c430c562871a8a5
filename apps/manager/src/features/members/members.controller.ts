import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { addMemberRequestSchema, parseInput, pathIdsSchema, type SiteMemberView } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { MembersService } from './members.service';

const siteParams = pathIdsSchema('id');
const memberParams = pathIdsSchema('id', 'userId');

/** `/api/sites/:id/members`: who may see and change a site (members and admins). */
@Controller('api/sites/:id/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<{ members: SiteMemberView[] }> {
    return { members: await this.members.list(user, parseInput(siteParams, params, 'path').id) };
  }

  @Post()
  @HttpCode(201)
  add(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown): Promise<SiteMemberView> {
    const { id } = parseInput(siteParams, params, 'path');
    return this.members.add(user, id, parseInput(addMemberRequestSchema, body, 'member'));
  }

  @Delete(':userId')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<void> {
    const { id, userId } = parseInput(memberParams, params, 'path');
    await this.members.remove(user, id, userId);
  }
}
