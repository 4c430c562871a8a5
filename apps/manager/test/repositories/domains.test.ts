import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainRepository } from '../../src/features/domains/domain.repository';
import { OperationRepository } from '../../src/features/operations/operation.repository';
import { SiteRepository } from '../../src/features/sites/site.repository';
import { insertUser, openRepositoryDatabase, type RepositoryDatabase, newSiteFields } from './repository-database';

const MINUTE_MS = 60_000;

describe('DomainRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let sites: SiteRepository;
  let domains: DomainRepository;
  let operations: OperationRepository;
  let owner: number;

  const newSite = async (name: string): Promise<number> => {
    const created = await sites.createWithOperation(newSiteFields(name, owner));
    if (!created) throw new Error(`site ${name} was not created`);
    return created.site.id;
  };
  const claim = (siteId: number, hostname: string, nextCheckAt = new Date()) =>
    domains.create({ siteId, hostname, token: `token-${hostname}`, releaseAt: new Date(Date.now() + 60 * MINUTE_MS), nextCheckAt });

  beforeAll(async () => {
    db = await openRepositoryDatabase('domains');
    sites = new SiteRepository(db.prisma, db.box);
    domains = new DomainRepository(db.prisma);
    operations = new OperationRepository(db.prisma);
    owner = await insertUser(db.prisma, 'owner');
  });

  afterAll(async () => {
    await db.close();
  });

  it('lets two sites claim one hostname, but one site only once', async () => {
    const alpha = await newSite('alpha');
    const beta = await newSite('beta');
    expect(await claim(alpha, 'shop.example.test')).toMatchObject({ status: 'unverified', verificationToken: 'token-shop.example.test' });
    expect(await claim(alpha, 'shop.example.test')).toBeNull();
    expect(await claim(beta, 'shop.example.test')).toMatchObject({ siteId: beta });
    expect(await domains.countForSite(alpha)).toBe(1);
  });

  it('verifies with its update operation in one transaction; the second site to prove a hostname is refused', async () => {
    const [first, second] = await db.prisma.domain.findMany({ where: { hostname: 'shop.example.test' }, orderBy: { id: 'asc' } });
    const verified = await domains.verify({ domainId: first!.id, via: 'dns', by: null, requestedById: null, nextCheckAt: null });
    if (typeof verified === 'string') throw new Error(verified);
    expect(verified.domain).toMatchObject({
      status: 'pending',
      claimedHostname: 'shop.example.test',
      verifiedVia: 'dns',
      certificateState: 'pending',
    });
    expect(verified.domain.verifiedAt).toEqual(verified.operation.createdAt);
    expect(verified.operation).toMatchObject({ siteId: first!.siteId, kind: 'update_site', requestedById: null });
    expect(await domains.verify({ domainId: first!.id, via: 'dns', by: null, requestedById: null, nextCheckAt: null })).toBe('changed');
    const operationsBefore = await db.prisma.operation.count();
    expect(await domains.verify({ domainId: second!.id, via: 'admin', by: 'admin', requestedById: owner, nextCheckAt: null })).toBe(
      'claimed-elsewhere',
    );
    // The refused verification left no operation behind and the domain unverified.
    expect(await db.prisma.operation.count()).toBe(operationsBefore);
    expect((await domains.findById(second!.id))?.status).toBe('unverified');
    expect(await domains.isVerifiedElsewhere('shop.example.test', second!.siteId)).toBe(true);
    expect(await domains.isVerifiedElsewhere('shop.example.test', first!.siteId)).toBe(false);
  });

  it('activates the domains verified up to an operation when it succeeds', async () => {
    const domain = (await db.prisma.domain.findFirst({ where: { status: 'pending' } }))!;
    const operation = (await operations.latestForSite(domain.siteId))!;
    await operations.finish({
      id: operation.id,
      state: 'succeeded',
      error: null,
      now: new Date(),
      siteEffect: { kind: 'none' },
      domainEffect: { kind: 'activate', siteId: domain.siteId, upTo: operation.createdAt },
    });
    expect((await domains.findById(domain.id))?.status).toBe('active');
  });

  it('hands each due domain to one sweep only, and leases it until later', async () => {
    const gamma = await newSite('gamma');
    const due = new Date(Date.now() - MINUTE_MS);
    const ids: number[] = [];
    for (let index = 0; index < 6; index++) ids.push((await claim(gamma, `d${index}.example.test`, due))!.id);
    await claim(gamma, 'later.example.test', new Date(Date.now() + 10 * MINUTE_MS));
    const leaseUntil = new Date(Date.now() + 5 * MINUTE_MS);
    const [one, two] = await Promise.all([domains.takeDue(new Date(), leaseUntil, 4), domains.takeDue(new Date(), leaseUntil, 4)]);
    const taken = [...one, ...two];
    expect(new Set(taken).size).toBe(taken.length);
    // The first claim of the first test is due as well; the later one is not.
    expect(taken.filter((id) => ids.includes(id)).sort((a, b) => a - b)).toEqual(ids);
    expect(await domains.takeDue(new Date(), leaseUntil, 10)).toEqual([]);
  });

  it('releases only unverified claims whose release is due', async () => {
    const gamma = (await sites.findByName('gamma'))!.id;
    const domain = (await claim(gamma, 'release.example.test'))!;
    expect(await domains.release(domain.id, new Date())).toBeNull();
    expect(await domains.release(domain.id, new Date(Date.now() + 61 * MINUTE_MS))).toMatchObject({ id: domain.id });
    expect(await domains.findById(domain.id)).toBeNull();
  });

  it('removes a domain of the site with its operation, and deletes domains with their site (cascade)', async () => {
    const delta = await newSite('delta');
    const domain = (await claim(delta, 'gone.example.test'))!;
    const other = await newSite('epsilon');
    expect(await domains.removeWithOperation(other, domain.id, owner)).toBeNull();
    const removed = await domains.removeWithOperation(delta, domain.id, owner);
    expect(removed?.operation).toMatchObject({ siteId: delta, kind: 'update_site' });
    expect(await domains.findById(domain.id)).toBeNull();

    await claim(delta, 'cascade.example.test');
    await db.prisma.site.delete({ where: { id: delta } });
    expect(await domains.listForSite(delta)).toEqual([]);
  });
});
