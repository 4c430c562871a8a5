import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRepository } from '../../src/features/members/member.repository';
import { SiteRepository, type NewSite } from '../../src/features/sites/site.repository';
import { insertUser, openRepositoryDatabase, type RepositoryDatabase } from './repository-database';

const site = (name: string, ownerId: number, description = ''): NewSite => ({
  name,
  type: 'static',
  description,
  ownerId,
  imageId: null,
  packages: [],
  setupCommands: [],
  env: {},
});

describe('SiteRepository and MemberRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let sites: SiteRepository;
  let members: MemberRepository;
  let owner: number;
  let other: number;

  beforeAll(async () => {
    db = await openRepositoryDatabase('sites');
    sites = new SiteRepository(db.prisma, db.box);
    members = new MemberRepository(db.prisma);
    owner = await insertUser(db.prisma, 'owner');
    other = await insertUser(db.prisma, 'other');
  });

  afterAll(async () => {
    await db.close();
  });

  it('writes the site, its owner membership and its create operation together', async () => {
    const created = await sites.createWithOperation(site('alpha', owner));
    expect(created?.site).toMatchObject({ name: 'alpha', state: 'provisioning' });
    expect(created?.operation).toMatchObject({ siteId: created?.site.id, siteName: 'alpha', kind: 'create_site', requestedById: owner });
    expect(created?.operation.steps.map((step) => step.position)).toEqual(created?.operation.steps.map((_, index) => index));
    expect(await sites.memberSiteIds(owner)).toContain(created?.site.id);
  });

  it('answers null for a taken name and leaves no operation behind', async () => {
    const before = await db.prisma.operation.count();
    expect(await sites.createWithOperation(site('alpha', other))).toBeNull();
    expect(await db.prisma.operation.count()).toBe(before);
    expect(await sites.memberSiteIds(other)).toEqual([]);
  });

  it('pages newest first by cursor, shows members only their sites, and searches with % taken literally', async () => {
    for (const name of ['beta', 'gamma', 'delta'])
      await sites.createWithOperation(site(name, owner, name === 'gamma' ? '100% static' : ''));
    await sites.createWithOperation(site('theirs', other));
    const admin = { id: 0, role: 'admin' as const };
    const first = await sites.listVisible(admin, { limit: 2 });
    expect(first.map((row) => row.name)).toEqual(['theirs', 'delta']);
    const second = await sites.listVisible(admin, { limit: 2, cursor: first.at(-1)?.id });
    expect(second.map((row) => row.name)).toEqual(['gamma', 'beta']);
    expect((await sites.listVisible({ id: other, role: 'user' }, 10)).map((row) => row.name)).toEqual(['theirs']);
    expect((await sites.listVisible(admin, { limit: 10, search: '0%' })).map((row) => row.name)).toEqual(['gamma']);
    expect(await sites.listVisible(admin, { limit: 10, search: '%' })).toHaveLength(1);
  });

  it('seals secrets for their site and hands them back sealed', async () => {
    const alpha = await sites.findByName('alpha');
    await sites.change(alpha!.id, { secrets: { API_KEY: 'hunter2' } });
    const [stored] = await db.database.query<{ secrets: Record<string, string> }>('SELECT secrets FROM "Site" WHERE id = $1', [alpha!.id]);
    expect(stored?.secrets.API_KEY).not.toContain('hunter2');
    const reread = await sites.find(alpha!.id);
    expect(db.box.open(reread!.secrets.API_KEY!)).toBe('hunter2');
  });

  it('adds a member once, and never removes the last one', async () => {
    const alpha = (await sites.findByName('alpha'))!;
    expect(await members.add(alpha.id, other)).toMatchObject({ siteId: alpha.id, userId: other, user: { username: 'other' } });
    expect(await members.add(alpha.id, other)).toBeNull();
    expect((await members.list(alpha.id)).map((member) => member.user.username)).toEqual(['owner', 'other']);
    expect(await members.remove(alpha.id, owner)).toBe('removed');
    expect(await members.remove(alpha.id, owner)).toBe('not-member');
    expect(await members.remove(alpha.id, other)).toBe('last-member');
  });

  it('keeps one member when the last two remove each other at once (the site row is locked)', async () => {
    const beta = (await sites.findByName('beta'))!;
    await members.add(beta.id, other);
    const outcomes = await Promise.all([members.remove(beta.id, owner), members.remove(beta.id, other)]);
    expect(outcomes.sort()).toEqual(['last-member', 'removed']);
    expect(await members.list(beta.id)).toHaveLength(1);
  });

  it('deletes memberships with their user (cascade)', async () => {
    const gone = await insertUser(db.prisma, 'gone');
    const gamma = (await sites.findByName('gamma'))!;
    await members.add(gamma.id, gone);
    await db.prisma.user.delete({ where: { id: gone } });
    expect((await members.list(gamma.id)).map((member) => member.userId)).toEqual([owner]);
  });
});
