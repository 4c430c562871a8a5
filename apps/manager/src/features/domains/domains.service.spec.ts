import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import { OperationLauncher } from '../operations/operation-launcher';
import type { SiteEventsPublisher } from '../site-events/site-events.publisher';
import type { SiteRepository } from '../sites/site.repository';
import type { DomainRecord as Domain } from './domain';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { alice, bob, root } from '../../testing/actors';
import { FakeClock } from '../../testing/fake-clock';
import { FakeOperationQueue } from '../../testing/fake-operation-queue';
import { InMemorySites } from '../../testing/in-memory-sites';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { strictFake } from '../../testing/strict-fake';
import { testConfig } from '../../testing/test-config';
import type { CheckResult, DomainProofService } from './domain-proof.service';
import type { DomainRepository } from './domain.repository';
import { DomainsService } from './domains.service';

/**
 * Alice's site "blog" (id 1) and bob's "other" (id 2), and the domains table in memory: ids in
 * order, a hostname once per site, verifying and removing write an update operation.
 */
function setup() {
  const clock = new FakeClock();
  const sites = new InMemorySites(clock);
  sites.seed({ name: 'blog' }, [alice.id]);
  sites.seed({ name: 'other' }, [bob.id]);
  const rows: Domain[] = [];
  const siteRow = (siteId: number) => sites.rows.find((site) => site.id === siteId)!;
  const domains = strictFake<DomainRepository>('domains', {
    listForSite: (siteId) => Promise.resolve(rows.filter((row) => row.siteId === siteId)),
    countForSite: (siteId) => Promise.resolve(rows.filter((row) => row.siteId === siteId).length),
    find: (siteId, id) => Promise.resolve(rows.find((row) => row.siteId === siteId && row.id === id) ?? null),
    isVerifiedElsewhere: (hostname, siteId) =>
      Promise.resolve(rows.some((row) => row.hostname === hostname && row.siteId !== siteId && row.verifiedAt !== null)),
    create: (claim) => {
      if (rows.some((row) => row.siteId === claim.siteId && row.hostname === claim.hostname)) return Promise.resolve(null);
      const row: Domain = {
        ...unverified,
        id: rows.length + 1,
        siteId: claim.siteId,
        hostname: claim.hostname,
        verificationToken: claim.token,
        releaseAt: claim.releaseAt,
        nextCheckAt: claim.nextCheckAt,
        createdAt: clock.date(),
      };
      rows.push(row);
      return Promise.resolve(row);
    },
    verify: (verification) => {
      const row = rows.find((domain) => domain.id === verification.domainId)!;
      Object.assign(row, {
        verifiedAt: clock.date(),
        verifiedVia: verification.via,
        verifiedBy: verification.by,
        claimedHostname: row.hostname,
      });
      return Promise.resolve({
        domain: row,
        operation: sites.operationFor(siteRow(row.siteId), 'update_site', verification.requestedById),
      });
    },
    removeWithOperation: (siteId, id, requestedById) => {
      const row = rows.find((domain) => domain.siteId === siteId && domain.id === id);
      if (!row) return Promise.resolve(null);
      rows.splice(rows.indexOf(row), 1);
      return Promise.resolve({ domain: row, operation: sites.operationFor(siteRow(siteId), 'update_site', requestedById) });
    },
  });
  const proof = { answer: 'gone' as CheckResult };
  const proofs = strictFake<DomainProofService>('proof', { check: () => Promise.resolve(proof.answer) });
  const changed: number[] = [];
  const events = strictFake<SiteEventsPublisher>('events', { siteChanged: (siteId) => Promise.resolve(void changed.push(siteId)) });
  const queue = new FakeOperationQueue();
  const audit = new RecordingAudit();
  const config = testConfig();
  const service = new DomainsService(
    sites as unknown as SiteRepository,
    domains,
    proofs,
    new OperationLauncher(queue as unknown as OperationQueue),
    audit as unknown as AuditService,
    events,
    config,
    clock,
  );
  return { service, rows, sites, proof, changed, queue, audit, clock, config };
}

const unverified: Omit<Domain, 'id' | 'siteId' | 'hostname' | 'verificationToken' | 'createdAt'> = {
  status: 'unverified',
  statusMessage: null,
  certificateState: null,
  certificateExpiresAt: null,
  certificateMessage: null,
  certificateRetryAt: null,
  verifiedAt: null,
  verifiedVia: null,
  verifiedBy: null,
  claimedHostname: null,
  checkedAt: null,
  checkProblem: null,
  checkMessage: null,
  nextCheckAt: null,
  releaseAt: null,
  lapseAt: null,
};

describe('claiming a custom domain', () => {
  it('writes an unverified claim released after the configured time, routing nothing yet', async () => {
    const { service, rows, queue, changed, audit, clock, config } = setup();
    const added = await service.add(alice, 1, 'www.example.org');
    expect(added.operation).toBeNull();
    expect(added.domain).toMatchObject({ hostname: 'www.example.org' });
    expect(rows[0]!.releaseAt!.getTime()).toBe(clock.now() + config.domains.releaseMs);
    expect(rows[0]!.nextCheckAt!.getTime()).toBeGreaterThan(clock.now());
    expect(rows[0]!.verificationToken.length).toBeGreaterThan(10);
    expect(queue.queued).toEqual([]);
    expect(changed).toEqual([1]);
    expect(audit.entries).toMatchObject([{ action: 'domain.add', details: { domainId: 1, hostname: 'www.example.org' } }]);
  });

  it("refuses the platform's own hostnames and, for members, wildcards, saying so on the hostname field", async () => {
    const { service, rows, config } = setup();
    const platform = await refusal(service.add(alice, 1, `blog.${config.sites.domain}`));
    expect(platform.details).toMatchObject({ issues: [{ path: 'hostname' }] });
    const wildcard = await refusal(service.add(alice, 1, '*.example.org'));
    expect(wildcard.details).toMatchObject({ issues: [{ path: 'hostname' }] });
    expect(rows).toEqual([]);
  });

  it('refuses a hostname verified on another site without naming it, and one this site already claims', async () => {
    const { service, rows } = setup();
    await service.add(bob, 2, 'www.example.org');
    rows[0]!.verifiedAt = new Date();
    const elsewhere = await refusal(service.add(alice, 1, 'www.example.org'));
    expect(elsewhere.code).toBe('HOSTNAME_CONFLICT');
    expect(elsewhere.message).not.toContain('other');
    await service.add(alice, 1, 'blog.example.org');
    expect((await refusal(service.add(alice, 1, 'blog.example.org'))).message).toContain('already a domain of this site');
  });

  it("refuses a site's domains past the limit, and sites the user may not change", async () => {
    const { service } = setup();
    expect((await refusal(service.add(bob, 1, 'www.example.org'))).code).toBe('SITE_NOT_FOUND');
    let refused = null;
    for (let n = 0; n < 100 && !refused; n++) {
      refused = await service.add(alice, 1, `d${n}.example.org`).then(
        () => null,
        (error: unknown) => error,
      );
    }
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ rule: 'max-domains' }] } });
  });
});

describe('verifying, checking and removing', () => {
  it('lets only admins verify by hand; a verification routes the site once', async () => {
    const { service, queue, audit } = setup();
    await service.add(alice, 1, 'www.example.org');
    expect((await refusal(service.verify(alice, 1, 1))).code).toBe('FORBIDDEN');
    const verified = await service.verify(root, 1, 1);
    expect(verified.operation).toMatchObject({ kind: 'update_site' });
    expect(queue.queued).toEqual([verified.operation!.id]);
    expect(await service.verify(root, 1, 1)).toMatchObject({ operation: null });
    expect(audit.actions).toEqual(['domain.add', 'domain.verify']);
  });

  it('answers a check of a released or vanished claim with DOMAIN_NOT_FOUND', async () => {
    const { service, proof } = setup();
    await service.add(alice, 1, 'www.example.org');
    proof.answer = 'released';
    expect((await refusal(service.check(alice, 1, 1))).message).toContain('released');
    proof.answer = 'gone';
    expect((await refusal(service.check(alice, 1, 1))).code).toBe('DOMAIN_NOT_FOUND');
    expect((await refusal(service.check(alice, 1, 7))).code).toBe('DOMAIN_NOT_FOUND');
  });

  it('removes a domain through an operation; a missing one is DOMAIN_NOT_FOUND', async () => {
    const { service, rows, queue } = setup();
    await service.add(alice, 1, 'www.example.org');
    expect((await refusal(service.remove(alice, 1, 9))).code).toBe('DOMAIN_NOT_FOUND');
    const operation = await service.remove(alice, 1, 1);
    expect(rows).toEqual([]);
    expect(queue.queued).toEqual([operation.id]);
  });

  it('refuses every change to a site being deleted', async () => {
    const { service, sites } = setup();
    sites.rows[0]!.state = 'deleting';
    expect((await refusal(service.add(alice, 1, 'www.example.org'))).code).toBe('SITE_BUSY');
    expect((await refusal(service.remove(alice, 1, 1))).code).toBe('SITE_BUSY');
  });
});
