import { isDaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { AccessRevocation } from '../auth/access-revocation';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { UserRepository } from '../auth/user.repository';
import type { UserRecord } from '../users/user';
import type { SiteRepository } from '../sites/site.repository';
import type { MemberRepository } from './member.repository';
import { MembersService } from './members.service';

const person = (id: number, username: string, email: string | null, role: 'admin' | 'user' = 'user') =>
  ({ id, username, email, role, displayName: '', disabled: false }) as UserRecord;
const bob = person(2, 'bob', 'bob@example.org');
const root = person(9, 'root', null, 'admin');
const alice: AuthenticatedUser = { id: 1, username: 'alice', role: 'user', ip: null, session: null };
const admin: AuthenticatedUser = { id: 9, username: 'root', role: 'admin', ip: null, session: null };

/** An unlocked site alice is a member of, and the accounts bob and root, in memory. */
function setup() {
  const revoked: string[] = [];
  const site = { id: 5, name: 'blog', state: 'active', availability: 'enabled' };
  const sites = { findVisible: () => Promise.resolve(site) };
  const accounts = [bob, root];
  const users = {
    findByEmail: (email: string) => Promise.resolve(accounts.find((user) => user.email === email) ?? null),
    findByUsername: (username: string) => Promise.resolve(accounts.find((user) => user.username === username) ?? null),
    findById: (id: number) => Promise.resolve(accounts.find((user) => user.id === id) ?? null),
  };
  const members = {
    add: (_siteId: number, userId: number) => {
      const user = accounts.find((account) => account.id === userId)!;
      return Promise.resolve({ siteId: 5, userId, addedAt: new Date(0), user });
    },
    remove: () => Promise.resolve('removed'),
  };
  const access = {
    endMembership: (siteId: number, userId: number, stillAllowed: boolean) =>
      Promise.resolve(void revoked.push(`${userId} left ${siteId}${stillAllowed ? ' (still allowed)' : ''}`)),
  };
  const audit = { record: () => Promise.resolve() };
  const service = new MembersService(
    sites as unknown as SiteRepository,
    members as unknown as MemberRepository,
    users as unknown as UserRepository,
    access as unknown as AccessRevocation,
    audit as unknown as AuditService,
  );
  return { service, revoked };
}

/** The refusal an attempt gets, as the client sees it. */
async function refusal(attempt: Promise<unknown>) {
  try {
    await attempt;
  } catch (error) {
    if (isDaisError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  return undefined;
}

describe('adding members without telling which usernames exist', () => {
  it('gives a member the same refusal for an unknown address, a known username and an unknown one', async () => {
    const { service } = setup();
    const answers = await Promise.all([
      refusal(service.add(alice, 5, { email: 'nobody@example.org' })),
      refusal(service.add(alice, 5, { username: 'bob' })),
      refusal(service.add(alice, 5, { username: 'nobody' })),
    ]);
    expect(answers[0]).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(JSON.stringify(answers)).not.toMatch(/bob|nobody/);
  });

  it('adds by the exact address, and lets admins add by username (telling them plainly when nobody has it)', async () => {
    const { service } = setup();
    expect(await service.add(alice, 5, { email: 'bob@example.org' })).toMatchObject({ userId: 2, username: 'bob' });
    expect(await service.add(admin, 5, { username: 'bob' })).toMatchObject({ userId: 2 });
    expect(await refusal(service.add(admin, 5, { username: 'nobody' }))).toMatchObject({
      code: 'USER_NOT_FOUND',
      message: expect.stringContaining('nobody'),
    });
  });

  it("ends a removed member's access, but not an admin's (who still sees every site)", async () => {
    const { service, revoked } = setup();
    await service.remove(alice, 5, 2);
    await service.remove(alice, 5, 9);
    expect(revoked).toEqual(['2 left 5', '9 left 5 (still allowed)']);
  });
});
