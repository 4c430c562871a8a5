import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationRepository } from '../../src/features/operations/operation.repository';
import { SiteRepository } from '../../src/features/sites/site.repository';
import { insertUser, openRepositoryDatabase, type RepositoryDatabase, newSiteFields } from './repository-database';

describe('OperationRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let sites: SiteRepository;
  let operations: OperationRepository;
  let owner: number;

  const newSite = async (name: string) => {
    const created = await sites.createWithOperation(newSiteFields(name, owner));
    if (!created) throw new Error(`site ${name} was not created`);
    return created;
  };

  beforeAll(async () => {
    db = await openRepositoryDatabase('operations');
    sites = new SiteRepository(db.prisma, db.box);
    operations = new OperationRepository(db.prisma);
    owner = await insertUser(db.prisma, 'owner');
  });

  afterAll(async () => {
    await db.close();
  });

  it('reads steps in order, and finishing writes the operation and the site state together, once', async () => {
    const { site, operation } = await newSite('alpha');
    expect((await operations.find(operation.id))?.steps.map((step) => step.position)).toEqual(operation.steps.map((_, index) => index));
    const now = new Date();
    await operations.markRunning(operation.id, now);
    const ending = {
      id: operation.id,
      state: 'succeeded' as const,
      error: null,
      now,
      siteEffect: { kind: 'set-state' as const, siteId: site.id, state: 'active' as const },
    };
    expect(await operations.finish(ending)).toBe(true);
    expect(await operations.find(operation.id)).toMatchObject({ state: 'succeeded', startedAt: now, finishedAt: now });
    expect((await sites.find(site.id))?.state).toBe('active');
    // A late worker finishing it again changes nothing.
    expect(
      await operations.finish({
        ...ending,
        state: 'failed',
        error: 'late',
        siteEffect: { kind: 'set-state', siteId: site.id, state: 'failed' },
      }),
    ).toBe(false);
    expect((await sites.find(site.id))?.state).toBe('active');
  });

  it('fails the unfinished steps of an operation given up on, and puts it back from the failed step on retry', async () => {
    const { site, operation } = await newSite('beta');
    const [first, second] = operation.steps;
    await operations.markRunning(operation.id, new Date());
    await operations.updateStep(first!.id, { state: 'succeeded', finishedAt: new Date() });
    await operations.updateStep(second!.id, { state: 'running', startedAt: new Date(), attempts: { increment: 1 } });
    await operations.finish({
      id: operation.id,
      state: 'failed',
      error: 'gave up',
      now: new Date(),
      siteEffect: { kind: 'set-state', siteId: site.id, state: 'failed' },
      unfinishedStepsMessage: 'the worker stopped answering',
    });
    const failed = await operations.find(operation.id);
    expect(failed?.steps.map((step) => step.state).slice(0, 2)).toEqual(['succeeded', 'failed']);
    expect(failed?.steps[1]).toMatchObject({ message: 'the worker stopped answering', attempts: 1 });
    expect(await operations.resetForRetry(operation.id)).toBe(true);
    expect(await operations.resetForRetry(operation.id)).toBe(false);
    const retried = await operations.find(operation.id);
    expect(retried).toMatchObject({ state: 'pending', error: null, finishedAt: null });
    expect(retried?.steps.map((step) => step.state).slice(0, 2)).toEqual(['succeeded', 'pending']);
  });

  it('deletes the site with the operation that removed it, and keeps the operation', async () => {
    const { site, operation } = await newSite('gamma');
    const deletion = await sites.changeWithOperation(site.id, 'delete_site', owner);
    expect((await sites.find(site.id))?.state).toBe('deleting');
    await operations.finish({
      id: deletion!.id,
      state: 'succeeded',
      error: null,
      now: new Date(),
      siteEffect: { kind: 'delete', siteId: site.id },
    });
    expect(await sites.find(site.id)).toBeNull();
    expect(await operations.find(operation.id)).not.toBeNull();
    expect((await operations.latestForSite(site.id))?.kind).toBe('delete_site');
  });

  it('pages newest first by cursor, by state and by site; finds each site latest operation and earlier unfinished ones', async () => {
    const { site } = await newSite('delta');
    const repair = await sites.changeWithOperation(site.id, 'repair_site', owner);
    const all = await operations.listPage({ limit: 100 });
    expect(all.map((row) => row.id)).toEqual([...all.map((row) => row.id)].sort((a, b) => b - a));
    const second = await operations.listPage({ limit: 2, cursor: all[1]!.id });
    expect(second.map((row) => row.id)).toEqual(all.slice(2, 4).map((row) => row.id));
    expect((await operations.listPage({ limit: 100, siteId: site.id })).map((row) => row.kind)).toEqual(['repair_site', 'create_site']);
    expect((await operations.listPage({ limit: 100, state: 'succeeded' })).every((row) => row.state === 'succeeded')).toBe(true);
    const latest = await operations.latestForSites([site.id, 999_999]);
    expect([...latest.keys()]).toEqual([site.id]);
    expect(latest.get(site.id)?.id).toBe(repair!.id);
    expect(await operations.hasEarlierUnfinished(site.id, repair!.id)).toBe(true);
    const counts = await operations.countByState();
    expect(counts.pending).toBeGreaterThanOrEqual(2);
  });

  it('lists operations unfinished before a moment and running ones with no step started since (overdue)', async () => {
    const { operation } = await newSite('epsilon');
    const later = new Date(Date.now() + 60_000);
    expect(await operations.listUnfinishedBefore(later, 100)).toContain(operation.id);
    expect(await operations.listUnfinishedBefore(new Date(0), 100)).toEqual([]);
    const longAgo = new Date(Date.now() - 3_600_000);
    await operations.markRunning(operation.id, longAgo);
    const since = new Date(Date.now() - 60_000);
    expect((await operations.listOverdue(since, 100)).map((row) => row.id)).toContain(operation.id);
    await operations.updateStep(operation.steps[0]!.id, { state: 'running', startedAt: new Date() });
    expect((await operations.listOverdue(since, 100)).map((row) => row.id)).not.toContain(operation.id);
  });
});
