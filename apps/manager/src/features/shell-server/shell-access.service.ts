import { Inject, Injectable } from '@nestjs/common';
import { DaisError, issueShellToken, loadOwnPrivateKey, type ShellAuthResult, type ShellKeyProof } from '@dais/shared';
import type { KeyObject } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { LoginRateLimiter } from '../auth/login-rate-limiter';
import { verifyPassword } from '../auth/password';
import { UserRepository } from '../auth/user.repository';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import type { UserRecord } from '../users/user';
import { assertUnlocked } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { SshKeyRepository } from '../ssh-keys/ssh-key.repository';
import { KeyProofVerifier } from './key-proof-verifier';

/** The shell menu lists at most this many sites. */
const MENU_LIMIT = 200;

/** Who is connecting, as the shell saw it (the address only for rate limits and the audit log). */
export interface ShellLogin {
  username: string;
  site?: string | undefined;
  remoteAddress: string | null;
}

/** The audit log shows the shell's address as the shell's report: the manager cannot check it. */
const REPORTED_BY_SHELL = { addressReportedBy: 'shell' } as const;

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
    private readonly keyProofs: KeyProofVerifier,
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
        details: { method: 'password', ...REPORTED_BY_SHELL },
      });
      throw new DaisError('INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    await this.limiter.succeeded(login.username, login.remoteAddress);
    return this.grant(user, login, 'password');
  }

  /**
   * Key sign-in: the manager verifies the client's signature itself (never trusting the shell's
   * word), then the key must be one of this user's keys.
   */
  async withPublicKey(login: ShellLogin, proof: ShellKeyProof): Promise<ShellAuthResult> {
    const failed = (reason: string) =>
      this.audit.record({
        actor: { id: null, username: login.username, ip: login.remoteAddress },
        action: 'shell.login.failed',
        details: { method: 'public-key', reason, ...REPORTED_BY_SHELL },
      });
    const key = await this.keyProofs.verify(login, proof).catch(async (error: unknown) => {
      await failed(error instanceof DaisError ? error.code : 'unverified');
      throw error;
    });
    const owner = (await this.keys.findOwnerByFingerprint(key.fingerprint))?.user;
    if (!owner || owner.username !== login.username) {
      await failed('INVALID_CREDENTIALS');
      throw new DaisError('INVALID_CREDENTIALS', 'This key is not registered for this user.');
    }
    return this.grant(owner, login, 'public-key');
  }

  private async grant(user: UserRecord, login: ShellLogin, method: string): Promise<ShellAuthResult> {
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
      details: { method, site: login.site ?? null, ...REPORTED_BY_SHELL },
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
