import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, type NewAuditEvent } from '../../src/features/audit/audit.repository';
import { openRepositoryDatabase, type RepositoryDatabase } from './repository-database';

const event = (action: string, actorId: number | null, siteId: number | null): NewAuditEvent => ({
  actorId,
  actorName: actorId === null ? 'system' : `user-${actorId}`,
  action,
  siteId,
  siteName: siteId === null ? null : `site-${siteId}`,
  ip: null,
  details: { action },
});

describe('AuditRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let audit: AuditRepository;

  beforeAll(async () => {
    db = await openRepositoryDatabase('audit');
    audit = new AuditRepository(db.prisma);
    await audit.insert(event('site.create', 1, 10));
    await audit.insert(event('auth.login', 1, null));
    await audit.insert(event('site.create', 2, 20));
    await audit.insert(event('auth.login', 2, null));
    await audit.insert(event('site.update', 2, 10));
  });

  afterAll(async () => {
    await db.close();
  });

  it('pages newest first by cursor and keeps the details as JSON', async () => {
    const first = await audit.list({ limit: 2 });
    expect(first.map((row) => row.action)).toEqual(['site.update', 'auth.login']);
    expect(first[0]?.details).toEqual({ action: 'site.update' });
    const next = await audit.list({ limit: 10, cursor: first.at(-1)?.id });
    expect(next.map((row) => row.action)).toEqual(['site.create', 'auth.login', 'site.create']);
  });

  it('shows a member their sites’ events and their own account’s, never another account’s', async () => {
    const seen = await audit.list({ limit: 10, visibleTo: { siteIds: [10], userId: 1 } });
    expect(seen.map((row) => [row.action, row.actorId, row.siteId])).toEqual([
      ['site.update', 2, 10],
      ['auth.login', 1, null],
      ['site.create', 1, 10],
    ]);
    expect((await audit.list({ limit: 10, siteId: 20 })).map((row) => row.siteId)).toEqual([20]);
  });
});
