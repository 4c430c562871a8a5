import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { addSshKeyRequestSchema, parseInput, pathIdsSchema } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { SshKeysService, type SshKeyView } from './ssh-keys.service';

const keyParams = pathIdsSchema('id');

/** `/api/ssh-keys`: the caller's SSH public keys (for `ssh user@host`). */
@Controller('api/ssh-keys')
export class SshKeysController {
  constructor(private readonly keys: SshKeysService) {}

  @Post()
  @HttpCode(201)
  add(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<SshKeyView> {
    return this.keys.add(user, parseInput(addSshKeyRequestSchema, body, 'SSH key'));
  }

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser): Promise<{ keys: SshKeyView[] }> {
    return { keys: await this.keys.list(user) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown): Promise<void> {
    await this.keys.remove(user, parseInput(keyParams, params, 'path').id);
  }
}
