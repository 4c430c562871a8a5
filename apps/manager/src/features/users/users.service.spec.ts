import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { AccessRevocation, AccountRevocation } from '../auth/access-revocation';
import { verifyPassword } from '../auth/password';
import type { UserRepository } from '../auth/user.repository';
import type { EventBus } from '../../infrastructure/realtime/event-bus';
import { alice, root } from '../../testing/actors';
import { InMemoryUserRepository } from '../../testing/in-memory-users';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { strictFake } from '../../testing/strict-fake';
import { UsersService } from './users.service';

/** Accounts root (admin, id 9) and alice (id 1), in memory; what was revoked and announced is recorded. */
function setup() {
  const users = new InMemoryUserRepository();
  users.seed({ id: 1, username: 'alice', email: 'alice@example.org' });
  users.seed({ id: 9, username: 'root', role: 'admin' });
  const ended: { userId: number; revocation: AccountRevocation }[] = [];
  const changed: number[] = [];
  const access = strictFake<AccessRevocation>('access', {
    endAccount: (userId, revocation) => Promise.resolve(void ended.push({ userId, revocation })),
  });
  const events = strictFake<EventBus>('events', { userChanged: (userId) => Promise.resolve(void changed.push(userId)) });
  const audit = new RecordingAudit();
  const service = new UsersService(users as unknown as UserRepository, access, audit as unknown as AuditService, events);
  return { service, users, ended, changed, audit };
}

describe('who may administer accounts', () => {
  it('refuses non-admins every account action, changing nothing', async () => {
    const { service, users, audit } = setup();
    const answers = await Promise.all([
      refusal(service.list(alice, 10)),
      refusal(service.create(alice, { username: 'eve', displayName: '', role: 'admin' })),
      refusal(service.update(alice, 1, { role: 'admin' })),
    ]);
    expect(answers.map((answer) => answer.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(users.rows.map((user) => [user.username, user.role])).toEqual([
      ['alice', 'user'],
      ['root', 'admin'],
    ]);
    expect(audit.entries).toEqual([]);
  });

  it('keeps an admin from demoting or disabling themselves', async () => {
    const { service } = setup();
    expect((await refusal(service.update(root, 9, { role: 'user' }))).code).toBe('FORBIDDEN');
    expect((await refusal(service.update(root, 9, { disabled: true }))).code).toBe('FORBIDDEN');
  });
});

describe('creating accounts', () => {
  it('stores a password only as its hash, and records who created whom', async () => {
    const { service, users, audit } = setup();
    const view = await service.create(root, { username: 'carol', displayName: 'Carol', role: 'user', password: 'correct horse' });
    expect(view).toMatchObject({ id: 10, username: 'carol', hasPassword: true, sso: false });
    const stored = users.rows.find((user) => user.username === 'carol')!;
    expect(stored.passwordHash).not.toContain('correct horse');
    expect(await verifyPassword(stored.passwordHash, 'correct horse')).toBe(true);
    expect(audit.entries).toMatchObject([{ action: 'user.create', details: { userId: 10, username: 'carol', role: 'user' } }]);
  });

  it('tells a taken e-mail address (EMAIL_TAKEN, on the email field) apart from a taken username (NAME_TAKEN)', async () => {
    const { service, users } = setup();
    const email = await refusal(service.create(root, { username: 'al', displayName: '', role: 'user', email: 'alice@example.org' }));
    expect(email).toMatchObject({ code: 'EMAIL_TAKEN', details: { issues: [{ path: 'email', rule: 'unique' }] } });
    const name = await refusal(service.create(root, { username: 'alice', displayName: '', role: 'user' }));
    expect(name.code).toBe('NAME_TAKEN');
    expect(users.rows).toHaveLength(2);
  });

  it('pages accounts by id, with the cursor for the next page only when a page is full', async () => {
    const { service } = setup();
    expect(await service.list(root, 1)).toMatchObject({ users: [{ id: 1 }], nextCursor: 1 });
    expect(await service.list(root, 5, 1)).toMatchObject({ users: [{ id: 9 }], nextCursor: null });
  });
});

describe('changing accounts', () => {
  it('announces a role change to live connections without ending anything', async () => {
    const { service, ended, changed, audit } = setup();
    expect(await service.update(root, 1, { role: 'admin' })).toMatchObject({ role: 'admin' });
    expect(changed).toEqual([1]);
    expect(ended).toEqual([]);
    expect(audit.entries).toMatchObject([{ action: 'user.update', details: { userId: 1, fields: ['role'] } }]);
  });

  it('ends every session of a disabled account, keeping its tokens (they pause while it is disabled)', async () => {
    const { service, ended, changed } = setup();
    await service.update(root, 1, { disabled: true });
    expect(ended).toEqual([{ userId: 1, revocation: { reason: 'account-disabled', revokeTokens: false } }]);
    expect(changed).toEqual([]);
  });

  it('revokes sessions and tokens on a new password, unless the admin keeps the sessions', async () => {
    const { service, users, ended } = setup();
    const before = Date.now();
    await service.update(root, 1, { password: 'new password 1' });
    expect(ended).toEqual([{ userId: 1, revocation: { reason: 'credentials-changed', revokeTokens: true } }]);
    expect(users.rows[0]!.passwordChangedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(await verifyPassword(users.rows[0]!.passwordHash, 'new password 1')).toBe(true);
    await service.update(root, 1, { password: 'new password 2', keepSessions: true });
    expect(ended).toHaveLength(1);
  });

  it('answers NOT_FOUND for a missing account and EMAIL_TAKEN for an address another account has', async () => {
    const { service, users } = setup();
    expect((await refusal(service.update(root, 42, { role: 'admin' }))).code).toBe('NOT_FOUND');
    users.seed({ username: 'carol', email: 'carol@example.org' });
    expect((await refusal(service.update(root, 1, { email: 'carol@example.org' }))).code).toBe('EMAIL_TAKEN');
    expect(users.rows[0]!.email).toBe('alice@example.org');
  });
});
