import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import type { ShellTokenClaims } from '@dais/shared';
import { codeOf } from '../../../../test/support/error-code';
import { ShellSessions } from './shell-sessions';

/** A websocket that records what was sent and whether it was closed. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
}

const claims = (userId: number, siteId: number, iat: number): ShellTokenClaims => ({
  userId,
  siteId,
  iat,
  username: `user${userId}`,
  exp: iat + 60_000,
  nonce: 'n'.repeat(20),
});

function opened(sessions: ShellSessions, userId: number, siteId: number, iat = 1_000): FakeSocket {
  const ws = new FakeSocket();
  expect(sessions.track(ws as unknown as WebSocket, claims(userId, siteId, iat))).toBe(true);
  return ws;
}

describe('the shell sessions the manager may end', () => {
  it("ends a user's sessions everywhere with the reason, and nobody else's", () => {
    const sessions = new ShellSessions(() => 10_000);
    const mine = [opened(sessions, 1, 10), opened(sessions, 1, 11)];
    const theirs = opened(sessions, 2, 10);
    expect(sessions.end({ userIds: [1], reason: 'account-disabled', at: 5_000 })).toBe(2);
    for (const ws of mine) {
      expect(ws.readyState).toBe(3);
      expect(JSON.parse(ws.sent[0] ?? '{}')).toMatchObject({
        type: 'error',
        code: 'SESSION_ENDED',
        message: expect.stringContaining('disabled'),
      });
    }
    expect(theirs.readyState).toBe(1);
    expect(sessions.size).toBe(1);
  });

  it('ends only the named users of a locked site, or everyone in it', () => {
    const sessions = new ShellSessions(() => 10_000);
    const member = opened(sessions, 1, 10);
    const admin = opened(sessions, 2, 10);
    const elsewhere = opened(sessions, 1, 11);
    expect(sessions.end({ siteId: 10, userIds: [1], reason: 'site-locked', at: 5_000 })).toBe(1);
    expect([member.readyState, admin.readyState, elsewhere.readyState]).toEqual([3, 1, 1]);
    expect(sessions.end({ siteId: 10, reason: 'site-locked', at: 5_000 })).toBe(1);
    expect(admin.readyState).toBe(3);
  });

  it('refuses tokens issued before the revocation, accepts newer ones, and forgets it once such tokens expired', () => {
    let now = 10_000;
    const sessions = new ShellSessions(() => now);
    sessions.end({ userIds: [1], siteId: 10, reason: 'member-removed', at: 5_000 });
    expect(codeOf(() => sessions.assertStillGranted(claims(1, 10, 4_000)))).toBe('SESSION_ENDED');
    expect(codeOf(() => sessions.assertStillGranted(claims(1, 10, 5_000)))).toBe('SESSION_ENDED');
    sessions.assertStillGranted(claims(1, 10, 5_001));
    sessions.assertStillGranted(claims(1, 11, 4_000));
    sessions.assertStillGranted(claims(2, 10, 4_000));
    now += 120_000;
    sessions.assertStillGranted(claims(1, 10, 4_000));
  });

  it('closes a session whose access ended between the token check and its start', () => {
    const sessions = new ShellSessions(() => 10_000);
    sessions.end({ userIds: [1], reason: 'credentials-changed', at: 5_000 });
    const ws = new FakeSocket();
    expect(sessions.track(ws as unknown as WebSocket, claims(1, 10, 4_000))).toBe(false);
    expect(ws.readyState).toBe(3);
    expect(sessions.size).toBe(0);
  });

  it('forgets a session once its socket closed', () => {
    const sessions = new ShellSessions(() => 10_000);
    opened(sessions, 1, 10).close();
    expect(sessions.size).toBe(0);
    expect(sessions.end({ userIds: [1], reason: 'account-disabled', at: 5_000 })).toBe(0);
  });
});
