import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { parseInput, shellPasswordAuthSchema, shellPublicKeyAuthSchema, shellSessionEventSchema, type ShellAuthResult } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import { Public } from '../auth/auth.guard';
import { UserRepository } from '../auth/user.repository';
import { SiteRepository } from '../sites/site.repository';
import { ShellAccessService } from './shell-access.service';
import { ShellServerGuard } from './shell-server.guard';

/** `/shell-server/…`: what the SSH server asks the manager. Signed by the shell's key, nobody else's. */
@Public()
@UseGuards(ShellServerGuard)
@Controller('shell-server')
export class ShellServerController {
  constructor(
    private readonly access: ShellAccessService,
    private readonly users: UserRepository,
    private readonly sites: SiteRepository,
    private readonly audit: AuditService,
  ) {}

  @Post('auth/password')
  @HttpCode(200)
  password(@Body() body: unknown): Promise<ShellAuthResult> {
    const { password, ...login } = parseInput(shellPasswordAuthSchema, body, 'shell sign-in');
    return this.access.withPassword(login, password);
  }

  @Post('auth/public-key')
  @HttpCode(200)
  publicKey(@Body() body: unknown): Promise<ShellAuthResult> {
    const { publicKey, signedData, signature, ...login } = parseInput(shellPublicKeyAuthSchema, body, 'shell sign-in');
    return this.access.withPublicKey(login, { publicKey, signedData, signature });
  }

  /** Shell sessions for the audit log. */
  @Post('sessions')
  @HttpCode(204)
  async session(@Body() body: unknown): Promise<void> {
    const event = parseInput(shellSessionEventSchema, body, 'shell session');
    const [user, site] = await Promise.all([this.users.findById(event.userId), this.sites.find(event.siteId)]);
    await this.audit.record({
      actor: { id: event.userId, username: user?.username ?? `user ${event.userId}`, ip: event.remoteAddress },
      action: `shell.${event.kind}.${event.event}`,
      site: site ? { id: site.id, name: site.name } : null,
      // The address is the shell's report, not something the manager saw.
      details: { addressReportedBy: 'shell', ...(event.command === undefined ? {} : { command: event.command }) },
    });
  }
}
