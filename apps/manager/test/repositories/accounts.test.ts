import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository } from '../../src/features/auth/session.repository';
import { UserRepository } from '../../src/features/auth/user.repository';
import { openRepositoryDatabase, type RepositoryDatabase } from './repository-database';

const HOUR_MS = 3_600_000;
const client = { ip: '192.0.2.1', userAgent: 'vitest' };

describe('UserRepository and SessionRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let users: UserRepository;
  let sessions: SessionRepository;

  beforeAll(async () => {
    db = await openRepositoryDatabase('accounts');
    users = new UserRepository(db.prisma);
    sessions = new SessionRepository(db.prisma);
  });

  afterAll(async () => {
    await db.close();
  });

  it('creates the first account once when two managers start at the same moment', async () => {
    const results = await Promise.all([
      users.createFirstUser({ username: 'first-a', role: 'admin' }),
      users.createFirstUser({ username: 'first-b', role: 'admin' }),
    ]);
    expect(results.filter((user) => user !== null)).toHaveLength(1);
    expect(await users.createFirstUser({ username: 'later', role: 'admin' })).toBeNull();
  });

  it('answers null for a taken username, e-mail address or SSO identity, and for an e-mail taken by a change', async () => {
    const ada = await users.create({ username: 'ada', role: 'user', email: 'ada@example.test', oidcSubject: 'sub-ada', passwordHash: 'x' });
    expect(ada).toMatchObject({ username: 'ada', role: 'user' });
    expect(ada?.passwordChangedAt).toBeInstanceOf(Date);
    expect(await users.create({ username: 'ada', role: 'user' })).toBeNull();
    expect(await users.create({ username: 'ada2', role: 'user', email: 'ada@example.test' })).toBeNull();
    expect(await users.create({ username: 'ada3', role: 'user', oidcSubject: 'sub-ada' })).toBeNull();
    const bob = await users.create({ username: 'bob', role: 'user' });
    expect(await users.updateUnique(bob!.id, { email: 'ada@example.test' })).toBeNull();
    expect(await users.updateUnique(bob!.id, { email: 'bob@example.test', displayName: 'Bob' })).toMatchObject({ displayName: 'Bob' });
    expect((await users.findByEmail('BOB@example.test'))?.username).toBe('bob');
  });

  it('lists users by id after a cursor', async () => {
    const all = await users.list(100);
    const page = await users.list(2, all[0]!.id);
    expect(page.map((user) => user.id)).toEqual(all.slice(1, 3).map((user) => user.id));
  });

  it('finds users by live token only: revoked tokens and disabled users are refused', async () => {
    const carol = (await users.create({ username: 'carol', role: 'user' }))!;
    await users.addToken(carol.id, 'one', 'dais_token_one');
    const two = await users.addToken(carol.id, 'two', 'dais_token_two');
    const now = new Date('2026-01-01T12:00:00Z');
    expect((await users.findByToken('dais_token_one', now))?.username).toBe('carol');
    expect(await users.isTokenLive('dais_token_one')).toBe(true);
    expect(await users.revokeToken(carol.id, two.id)).toBe(true);
    expect(await users.revokeToken(carol.id, two.id)).toBe(false);
    expect(await users.findByToken('dais_token_two', now)).toBeNull();
    expect((await users.listTokens(carol.id)).map((token) => token.name)).toEqual(['one']);
    // Use is recorded at the caller's time, at most once a minute.
    const lastUsed = async () => (await users.listTokens(carol.id))[0]!.lastUsedAt;
    expect(await lastUsed()).toEqual(now);
    await users.findByToken('dais_token_one', new Date(now.getTime() + 60_000));
    expect(await lastUsed()).toEqual(now);
    const minuteLater = new Date(now.getTime() + 60_001);
    await users.findByToken('dais_token_one', minuteLater);
    expect(await lastUsed()).toEqual(minuteLater);
    await users.update(carol.id, { disabled: true });
    expect(await users.findByToken('dais_token_one', now)).toBeNull();
    expect(await users.revokeAllTokens(carol.id)).toBe(1);
    expect(await users.isTokenLive('dais_token_one')).toBe(false);
  });

  it('keeps a session live and extends it, forgets it when expired or its user is disabled', async () => {
    const dan = (await users.create({ username: 'dan', role: 'user' }))!;
    const session = await sessions.create(dan.id, HOUR_MS, client);
    expect(await sessions.findLive(session.token, HOUR_MS)).toMatchObject({ user: { username: 'dan' }, extended: false, ip: '192.0.2.1' });
    // A session last seen long ago is extended on use.
    await db.database.query(`UPDATE "Session" SET "lastSeenAt" = now() - interval '30 minutes' WHERE "userId" = $1`, [dan.id]);
    const extended = await sessions.findLive(session.token, HOUR_MS);
    expect(extended?.extended).toBe(true);
    expect(extended!.expiresAt.getTime()).toBeGreaterThan(session.expiresAt.getTime());
    await users.update(dan.id, { disabled: true });
    expect(await sessions.findLive(session.token, HOUR_MS)).toBeNull();
    await users.update(dan.id, { disabled: false });

    const expired = await sessions.create(dan.id, HOUR_MS, client);
    await db.database.query(`UPDATE "Session" SET "expiresAt" = now() - interval '1 second' WHERE "tokenHash" <> ''`);
    expect(await sessions.findLive(expired.token, HOUR_MS)).toBeNull();
    await sessions.deleteExpired();
    expect(await db.prisma.session.count({ where: { userId: dan.id } })).toBe(0);
  });

  it('signs a user out everywhere but the session in use', async () => {
    const eve = (await users.create({ username: 'eve', role: 'user' }))!;
    const kept = await sessions.create(eve.id, HOUR_MS, client);
    await sessions.create(eve.id, HOUR_MS, client);
    const keptId = (await sessions.findLive(kept.token, HOUR_MS))!.id;
    await sessions.deleteForUser(eve.id, keptId);
    expect((await db.prisma.session.findMany({ where: { userId: eve.id } })).map((row) => row.id)).toEqual([keptId]);
  });

  it('deletes an account with its tokens and sessions (cascade)', async () => {
    const fay = (await users.create({ username: 'fay', role: 'user' }))!;
    await users.addToken(fay.id, 't', 'dais_token_fay');
    const session = await sessions.create(fay.id, HOUR_MS, client);
    await db.prisma.user.delete({ where: { id: fay.id } });
    expect(await users.isTokenLive('dais_token_fay')).toBe(false);
    expect(await sessions.findLive(session.token, HOUR_MS)).toBeNull();
    expect(await db.prisma.apiToken.count({ where: { userId: fay.id } })).toBe(0);
  });

  it('ensures a user exists with the role asked for', async () => {
    expect((await users.ensureUser('gus', 'user')).role).toBe('user');
    const promoted = await users.ensureUser('gus', 'admin');
    expect(promoted.role).toBe('admin');
    expect((await users.list(100)).filter((user) => user.username === 'gus')).toHaveLength(1);
  });
});
