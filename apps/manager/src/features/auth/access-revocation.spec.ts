import type { EndSessionsRequest } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { OrchestratorClient } from '../../infrastructure/peers/peer-clients';
import type { EventBus } from '../../infrastructure/realtime/event-bus';
import { FakeClock } from '../../testing/fake-clock';
import { AccessRevocation } from './access-revocation';
import type { SessionRepository } from './session.repository';
import type { UserRepository } from './user.repository';

/** The time of every revocation: shell tokens issued before it are refused. */
const AT = Date.UTC(2026, 2, 1, 9, 30);

/**
 * Records what the revocation did to each system, on a clock standing at `AT`; the orchestrator may
 * be told to fail.
 */
function setup(orchestratorFails = false) {
  const clock = new FakeClock(AT);
  const done: string[] = [];
  const ended: EndSessionsRequest[] = [];
  const sessions = {
    deleteForUser: (userId: number, keep?: number) => {
      done.push(`sessions of ${userId} deleted${keep === undefined ? '' : ` but ${keep}`}`);
      return Promise.resolve();
    },
  };
  const users = {
    revokeAllTokens: (userId: number) => {
      done.push(`tokens of ${userId} revoked`);
      return Promise.resolve(2);
    },
  };
  const bus = {
    userChanged: (userId: number) => Promise.resolve(void done.push(`user ${userId} changed`)),
    memberRemoved: (siteId: number, userId: number) => Promise.resolve(void done.push(`user ${userId} left ${siteId}`)),
    siteLocked: (siteId: number) => Promise.resolve(void done.push(`site ${siteId} locked`)),
  };
  const orchestrator = {
    endSessions: (request: EndSessionsRequest) => {
      ended.push(request);
      return orchestratorFails ? Promise.reject(new Error('orchestrator down')) : Promise.resolve({ ended: 1 });
    },
  };
  const access = new AccessRevocation(
    sessions as unknown as SessionRepository,
    users as unknown as UserRepository,
    bus as unknown as EventBus,
    orchestrator as unknown as OrchestratorClient,
    clock,
  );
  return { access, done, ended };
}

describe('ending access', () => {
  it('a password change keeps the session in use, revokes the tokens, tells every API process and ends SSH sessions', async () => {
    const { access, done, ended } = setup();
    await access.endAccount(7, { reason: 'credentials-changed', keepSessionId: 40, revokeTokens: true });
    expect(done).toEqual(['sessions of 7 deleted but 40', 'tokens of 7 revoked', 'user 7 changed']);
    expect(ended).toEqual([{ userIds: [7], reason: 'credentials-changed', at: AT }]);
  });

  it('disabling pauses the tokens rather than revoking them (they work again once enabled)', async () => {
    const { access, done } = setup();
    await access.endAccount(7, { reason: 'account-disabled', revokeTokens: false });
    expect(done).toEqual(['sessions of 7 deleted', 'user 7 changed']);
  });

  it("a removed member's shell sessions of the site end, unless they are an admin", async () => {
    const member = setup();
    await member.access.endMembership(3, 7, false);
    expect(member.ended).toEqual([{ siteId: 3, userIds: [7], reason: 'member-removed', at: AT }]);
    const admin = setup();
    await admin.access.endMembership(3, 8, true);
    expect(admin.done).toEqual(['user 8 left 3']);
    expect(admin.ended).toEqual([]);
  });

  it("a lock ends only the owners' shell sessions, and asks nothing of the orchestrator when there are none", async () => {
    const { access, ended, done } = setup();
    await access.endSiteForOwners(3, [7, 9]);
    await access.endSiteForOwners(4, []);
    expect(done).toEqual(['site 3 locked', 'site 4 locked']);
    expect(ended).toEqual([{ siteId: 3, userIds: [7, 9], reason: 'site-locked', at: AT }]);
  });

  it('an orchestrator that cannot be reached does not undo or fail the change (it is logged)', async () => {
    const { access, done } = setup(true);
    await access.endAccount(7, { reason: 'account-disabled', revokeTokens: false });
    expect(done).toContain('sessions of 7 deleted');
  });
});
