import { rmSync } from 'node:fs';
import { DaisError, MemoryNonceStore, verifyShellToken, type ShellKeyProof } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { LoginRateLimiter } from '../auth/login-rate-limiter';
import { hashPassword } from '../auth/password';
import type { UserRepository } from '../auth/user.repository';
import type { SiteRepository } from '../sites/site.repository';
import type { SshKeyRepository } from '../ssh-keys/ssh-key.repository';
import type { SshPublicKey } from '../ssh-keys/ssh-public-key';
import { InMemorySites } from '../../testing/in-memory-sites';
import { InMemorySshKeyRepository } from '../../testing/in-memory-ssh-keys';
import { InMemoryUserRepository } from '../../testing/in-memory-users';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { keysDirWith } from '../../testing/signing-keys';
import { strictFake } from '../../testing/strict-fake';
import { testConfig } from '../../testing/test-config';
import type { KeyProofVerifier } from './key-proof-verifier';
import { ShellAccessService } from './shell-access.service';

/** argon2 is slow on purpose: each password is hashed once for the whole file. */
const passwordHashes = Promise.all([hashPassword('secret 1'), hashPassword('root pw')]).then(([alice, root]) => ({ alice, root }));

const proof: ShellKeyProof = { publicKey: 'ssh-ed25519 AAAA', signedData: '', signature: '' };

/**
 * alice (password "secret 1", key SHA256:alice) is a member of "blog" and "shop"; "shop" is locked;
 * root is an admin of no site; "intranet" has no members. The key check answers `verifiedKey`.
 */
async function setup() {
  const users = new InMemoryUserRepository();
  const alice = users.seed({ id: 1, username: 'alice', passwordHash: (await passwordHashes).alice });
  users.seed({ id: 9, username: 'root', role: 'admin', passwordHash: (await passwordHashes).root });
  const keys = new InMemorySshKeyRepository(undefined, users);
  await keys.create({
    userId: alice.id,
    name: 'laptop',
    type: 'ssh-ed25519',
    bits: 256,
    publicKey: 'ssh-ed25519 AAAA',
    fingerprint: 'SHA256:alice',
  });
  const sites = new InMemorySites();
  sites.seed({ name: 'blog' }, [1]);
  sites.seed({ name: 'shop', availability: 'disabled' }, [1]);
  sites.seed({ name: 'intranet' });
  const limiter = { admitted: [] as string[], succeeded: [] as string[], refuse: false };
  const limits = strictFake<LoginRateLimiter>('limiter', {
    admit: (username) => {
      if (limiter.refuse) return Promise.reject(new DaisError('RATE_LIMITED', 'Too many attempts.'));
      limiter.admitted.push(username);
      return Promise.resolve();
    },
    succeeded: (username) => Promise.resolve(void limiter.succeeded.push(username)),
  });
  const keyCheck = { answer: Promise.resolve({ fingerprint: 'SHA256:alice' } as SshPublicKey) };
  const keyProofs = strictFake<KeyProofVerifier>('keyProofs', { verify: () => keyCheck.answer });
  const audit = new RecordingAudit();
  const keysDir = keysDirWith('manager');
  const service = new ShellAccessService(
    users as unknown as UserRepository,
    keys as unknown as SshKeyRepository,
    keyProofs,
    sites as unknown as SiteRepository,
    limits,
    audit as unknown as AuditService,
    testConfig({ DAIS_KEYS_DIR: keysDir.dir }),
  );
  // The service read its key when it was made.
  rmSync(keysDir.dir, { recursive: true });
  return { service, limiter, keyCheck, keys, audit, publicKey: keysDir.publicKey };
}

const login = (username: string, site?: string) => ({ username, site, remoteAddress: '203.0.113.5' });

describe('password sign-in to the shell', () => {
  it("hands out the user's unlocked sites, each with a token the orchestrator can check", async () => {
    const { service, limiter, audit, publicKey } = await setup();
    const granted = await service.withPassword(login('alice'), 'secret 1');
    expect(granted.user).toEqual({ id: 1, username: 'alice' });
    expect(granted.sites.map((site) => site.name)).toEqual(['blog']);
    const claims = await verifyShellToken(publicKey, granted.sites[0]!.token, { siteId: 1, nonces: new MemoryNonceStore() });
    expect(claims).toMatchObject({ siteId: 1, userId: 1, username: 'alice' });
    expect(limiter).toMatchObject({ admitted: ['alice'], succeeded: ['alice'] });
    expect(audit.entries).toMatchObject([
      { action: 'shell.login', actor: { id: 1, ip: '203.0.113.5' }, details: { method: 'password', addressReportedBy: 'shell' } },
    ]);
  });

  it('answers a wrong password, an unknown user and a disabled account alike, and records the failure', async () => {
    const { service, limiter, audit } = await setup();
    const wrong = await refusal(service.withPassword(login('alice'), 'guess'));
    const unknown = await refusal(service.withPassword(login('mallory'), 'guess'));
    expect(wrong).toEqual(unknown);
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(limiter.succeeded).toEqual([]);
    expect(audit.actions).toEqual(['shell.login.failed', 'shell.login.failed']);
  });

  it('checks nothing once the limiter refuses', async () => {
    const { service, limiter, audit } = await setup();
    limiter.refuse = true;
    expect((await refusal(service.withPassword(login('alice'), 'secret 1'))).code).toBe('RATE_LIMITED');
    expect(audit.entries).toEqual([]);
  });
});

describe('choosing a site with user+site', () => {
  it("grants a member's named site, refuses a locked one, and one they are not a member of", async () => {
    const { service } = await setup();
    expect((await service.withPassword(login('alice', 'blog'), 'secret 1')).sites.map((site) => site.id)).toEqual([1]);
    expect((await refusal(service.withPassword(login('alice', 'shop'), 'secret 1'))).code).toBe('SITE_LOCKED');
    expect((await refusal(service.withPassword(login('alice', 'intranet'), 'secret 1'))).code).toBe('SITE_NOT_FOUND');
  });

  it('lets an admin enter any site by name, locked ones included', async () => {
    const { service } = await setup();
    expect((await service.withPassword(login('root'), 'root pw')).sites).toEqual([]);
    expect((await service.withPassword(login('root', 'intranet'), 'root pw')).sites.map((site) => site.name)).toEqual(['intranet']);
    expect((await service.withPassword(login('root', 'shop'), 'root pw')).sites.map((site) => site.name)).toEqual(['shop']);
  });
});

describe('key sign-in to the shell', () => {
  it('signs in with a verified key of this user, noting when it was used', async () => {
    const { service, keys } = await setup();
    expect((await service.withPublicKey(login('alice'), proof)).sites.map((site) => site.name)).toEqual(['blog']);
    expect(keys.rows[0]!.lastUsedAt).not.toBeNull();
  });

  it("refuses another user's key, and passes on the verifier's refusal, recording why", async () => {
    const { service, keyCheck, audit } = await setup();
    expect((await refusal(service.withPublicKey(login('root'), proof))).code).toBe('INVALID_CREDENTIALS');
    keyCheck.answer = Promise.reject(new DaisError('SSH_SIGNATURE_REPLAYED', 'replayed'));
    keyCheck.answer.catch(() => undefined);
    expect((await refusal(service.withPublicKey(login('alice'), proof))).code).toBe('SSH_SIGNATURE_REPLAYED');
    expect(audit.entries.map((entry) => entry.details['reason'])).toEqual(['INVALID_CREDENTIALS', 'SSH_SIGNATURE_REPLAYED']);
  });
});
