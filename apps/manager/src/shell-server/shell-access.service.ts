import { Inject, Injectable } from '@nestjs/common';
import { DaisError, issueShellToken, loadOwnPrivateKey, type ShellAuthResult } from '@dais/shared';
import type { KeyObject } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { LoginRateLimiter } from '../auth/login-rate-limiter';
import { verifyPassword } from '../auth/password';
import { UserRepository } from '../auth/user.repository';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import type { User } from '../generated/prisma/client';
import { assertUnlocked } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { SshKeyRepository } from '../ssh-keys/ssh-key.repository';
import { parseSshPublicKey } from '../ssh-keys/ssh-public-key';

/** The shell menu lists at most this many sites. */
const MENU_LIMIT = 200;

/** Who is connecting, as the shell saw it. */
export interface ShellLogin {
  username: string;
  site?: string | undefined;
  remoteAddress: string | null;
}

/**
 * Signs people into the shell: checks a password or an SSH key, then hands back the sites they
 * may enter, each with a single-use token the orchestrator will check (signed by the manager).
 */
@Injectable()
export class ShellAccessService {
  private readonly privateKey: KeyObject;

  constructor(
    private readonly users: UserRepository,
    private readonly keys: SshKeyRepository,
    private readonly sites: SiteRepository,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {
    this.privateKey = loadOwnPrivateKey(config.keys.dir, 'manager');
  }

  /** Password sign-in (slowed exactly like the web sign-in, by the same limiter). */
  async withPassword(login: ShellLogin, password: string): Promise<ShellAuthResult> {
    await this.limiter.admit(login.username, login.remoteAddress);
    const user = await this.users.findByUsername(login.username);
    // Checked (against a decoy when there is no such user) before anything else, so timing tells nothing.
    const valid = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !valid || user.disabled) {
      await this.audit.record({
        actor: { id: user?.id ?? null, username: login.username, ip: login.remoteAddress },
        action: 'shell.login.failed',
        details: { method: 'password' },
      });
      throw new DaisError('INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    await this.limiter.succeeded(login.username, login.remoteAddress);
    return this.grant(user, login, 'password');
  }

  /** Key sign-in: the key must be one of this user's keys (the shell has verified the signature). */
  async withPublicKey(login: ShellLogin, publicKey: string): Promise<ShellAuthResult> {
    const parsed = parseSshPublicKey(publicKey);
    const owner = parsed.ok ? (await this.keys.findOwnerByFingerprint(parsed.fingerprint))?.user : undefined;
    if (!owner || owner.username !== login.username) {
      await this.audit.record({
        actor: { id: null, username: login.username, ip: login.remoteAddress },
        action: 'shell.login.failed',
        details: { method: 'public-key' },
      });
      throw new DaisError('INVALID_CREDENTIALS', 'This key is not registered for this user.');
    }
    return this.grant(owner, login, 'public-key');
  }

  private async grant(user: User, login: ShellLogin, method: string): Promise<ShellAuthResult> {
    const viewer = { id: user.id, role: user.role };
    let sites = await this.sites.listVisible({ id: user.id, role: 'user' }, MENU_LIMIT);
    if (login.site !== undefined) {
      // `user+site`: a member's site, or any site for an admin.
      const named =
        sites.find((site) => site.name === login.site) ?? (viewer.role === 'admin' ? await this.sites.findByName(login.site) : null);
      if (!named) throw new DaisError('SITE_NOT_FOUND', `You have no site named ${login.site}.`);
      assertUnlocked(named, viewer);
      sites = [named];
    }
    // Sites an admin disabled are locked to their owners, shells included.
    if (viewer.role !== 'admin') sites = sites.filter((site) => site.availability !== 'disabled');
    await this.audit.record({
      actor: { id: user.id, username: user.username, ip: login.remoteAddress },
      action: 'shell.login',
      details: { method, site: login.site ?? null },
    });
    return {
      user: { id: user.id, username: user.username },
      sites: sites.map((site) => ({
        id: site.id,
        name: site.name,
        type: site.type,
        token: issueShellToken(this.privateKey, { siteId: site.id, userId: user.id, username: user.username }, this.config.shellTokenTtlMs),
      })),
    };
  }
}
