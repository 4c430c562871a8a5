import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/audit.service';
import { loadManagerConfig } from '../../config/manager.config';
import type { DomainRecord } from './domain';
import type { OperationWithSteps } from '../operations/operation-view';
import type { TxtLookup, TxtReader } from './dns-txt.adapter';
import { DomainProofService, SYSTEM_ACTOR, type DomainStore } from './domain-proof.service';
import type { CheckRecord, DomainOfSite, Lapse, Verification } from './domain.repository';

const DAY = 24 * 3_600_000;
const config = loadManagerConfig({
  DATABASE_URL: 'postgresql://dais@localhost/dais',
  DAIS_SITES_DOMAIN: 'dais.example.org',
  DAIS_DOMAIN_CHECK_INTERVAL_MS: '30000',
  DAIS_DOMAIN_RECHECK_INTERVAL_MS: '21600000',
  DAIS_DOMAIN_RELEASE_DAYS: '7',
  DAIS_DOMAIN_PROOF_GRACE_DAYS: '3',
});
const T0 = new Date('2026-12-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TOKEN = 'a'.repeat(32);

/** The repository's rules, in memory: one verified claim per hostname, guards on every change. */
class FakeDomains implements DomainStore {
  readonly rows = new Map<number, DomainOfSite>();
  private nextOperation = 100;

  add(fields: Partial<DomainRecord> & { id: number; hostname: string }): DomainOfSite {
    const row: DomainOfSite = {
      siteId: 1,
      status: 'unverified',
      statusMessage: null,
      createdAt: T0,
      certificateState: null,
      certificateExpiresAt: null,
      certificateMessage: null,
      certificateRetryAt: null,
      verificationToken: TOKEN,
      verifiedAt: null,
      verifiedVia: null,
      verifiedBy: null,
      claimedHostname: null,
      checkedAt: null,
      checkProblem: null,
      checkMessage: null,
      nextCheckAt: at(30_000),
      releaseAt: at(7 * DAY),
      lapseAt: null,
      site: { name: 'shop', state: 'active' },
      ...fields,
    };
    this.rows.set(row.id, row);
    return row;
  }

  findWithSite(id: number) {
    return Promise.resolve(this.rows.get(id) ?? null);
  }

  isVerifiedElsewhere(hostname: string, siteId: number) {
    return Promise.resolve([...this.rows.values()].some((row) => row.claimedHostname === hostname && row.siteId !== siteId));
  }

  recordCheck(id: number, verified: boolean, record: CheckRecord) {
    const row = this.rows.get(id);
    if (!row || (row.verifiedAt !== null) !== verified) return Promise.resolve(null);
    return Promise.resolve(this.write(id, record));
  }

  verify(verification: Verification) {
    const row = this.rows.get(verification.domainId);
    if (!row || row.status !== 'unverified') return Promise.resolve('changed' as const);
    if ([...this.rows.values()].some((other) => other.claimedHostname === row.hostname))
      return Promise.resolve('claimed-elsewhere' as const);
    const operation = this.operation(row.siteId);
    const domain = this.write(row.id, {
      status: 'pending',
      claimedHostname: row.hostname,
      verifiedAt: operation.createdAt,
      verifiedVia: verification.via,
      verifiedBy: verification.by,
      checkProblem: null,
      checkMessage: null,
      releaseAt: null,
      lapseAt: null,
      nextCheckAt: verification.nextCheckAt,
    });
    return Promise.resolve({ domain, operation });
  }

  lapse(lapse: Lapse) {
    const row = this.rows.get(lapse.domainId);
    if (!row || row.verifiedVia !== 'dns' || row.lapseAt === null || row.lapseAt > lapse.now) return Promise.resolve(null);
    const domain = this.write(row.id, {
      status: 'unverified',
      verifiedAt: null,
      verifiedVia: null,
      claimedHostname: null,
      lapseAt: null,
      checkedAt: lapse.now,
      checkProblem: lapse.problem,
      checkMessage: lapse.message,
      releaseAt: lapse.releaseAt,
      nextCheckAt: lapse.nextCheckAt,
    });
    return Promise.resolve({ domain, operation: this.operation(row.siteId) });
  }

  release(id: number, now: Date) {
    const row = this.rows.get(id);
    if (!row || row.status !== 'unverified' || row.releaseAt === null || row.releaseAt > now) return Promise.resolve(null);
    this.rows.delete(id);
    return Promise.resolve(row);
  }

  /** Like the database: a write makes a new row; what a caller read before stays as it was. */
  private write(id: number, fields: Partial<DomainOfSite>): DomainOfSite {
    const row = { ...(this.rows.get(id) as DomainOfSite), ...fields };
    this.rows.set(id, row);
    return row;
  }

  private operation(siteId: number): OperationWithSteps {
    return { id: this.nextOperation++, siteId, createdAt: new Date() } as OperationWithSteps;
  }
}

/** DNS as a table of answers; counts lookups, and can hold them until released. */
class FakeDns implements TxtReader {
  readonly answers = new Map<string, TxtLookup>();
  lookups = 0;
  hold: Promise<void> | null = null;

  async read(name: string): Promise<TxtLookup> {
    this.lookups++;
    if (this.hold) await this.hold;
    return this.answers.get(name) ?? { kind: 'no-domain' };
  }
}

function harness() {
  const domains = new FakeDomains();
  const dns = new FakeDns();
  const launched: number[] = [];
  const audited: AuditEntry[] = [];
  const announced: number[] = [];
  const service = new DomainProofService(
    domains,
    dns,
    { launch: (id) => Promise.resolve(void launched.push(id)) },
    { record: (entry) => Promise.resolve(void audited.push(entry)) },
    { siteChanged: (siteId) => Promise.resolve(void announced.push(siteId)) },
    config,
  );
  return { domains, dns, launched, audited, announced, service };
}

const actor = { id: 7, username: 'olga' };
const publish = (dns: FakeDns, hostname: string, values: string[]) =>
  dns.answers.set(`_dais-challenge.${hostname}`, { kind: 'records', values });

describe('checking a domain’s proof of control', () => {
  it('verifies and routes an unverified domain whose record holds its token, re-checking it six hours later', async () => {
    const { domains, dns, launched, audited, announced, service } = harness();
    domains.add({ id: 1, hostname: 'shop.example.org' });
    publish(dns, 'shop.example.org', ['v=spf1 -all', TOKEN]);
    const result = await service.check(1, actor, at(60_000));
    expect(result).toMatchObject({ domain: { status: 'pending', verifiedVia: 'dns', claimedHostname: 'shop.example.org' } });
    expect(domains.rows.get(1)?.nextCheckAt).toEqual(at(60_000 + 6 * 3_600_000));
    expect(launched).toEqual([100]);
    expect(audited).toEqual([
      expect.objectContaining({ actor, action: 'domain.verify', details: expect.objectContaining({ method: 'dns' }) }),
    ]);
    expect(announced).toEqual([1]);
  });

  it('says why an unverified domain is not verified and when its claim is released, and looks again later', async () => {
    const { domains, dns, launched, service } = harness();
    domains.add({ id: 1, hostname: 'shop.example.org' });
    publish(dns, 'shop.example.org', ['someone else’s token']);
    await service.check(1, SYSTEM_ACTOR, at(60_000));
    const row = domains.rows.get(1);
    expect(row).toMatchObject({ status: 'unverified', checkProblem: 'wrong-value', checkedAt: at(60_000), nextCheckAt: at(90_000) });
    expect(row?.checkMessage).toMatch(/has a TXT record, but none holds this domain's token/);
    expect(row?.checkMessage).toMatch(/Unless control is proven by 2026-12-08 00:00 UTC, this claim is released/);
    expect(launched).toEqual([]);
  });

  it('releases a claim nobody proved by its deadline, and audits it', async () => {
    const { domains, audited, announced, service } = harness();
    domains.add({ id: 1, hostname: 'shop.example.org' });
    expect(await service.check(1, SYSTEM_ACTOR, at(7 * DAY - 1))).toMatchObject({ domain: { status: 'unverified' } });
    expect(await service.check(1, SYSTEM_ACTOR, at(7 * DAY))).toBe('released');
    expect(domains.rows.has(1)).toBe(false);
    expect(audited).toEqual([
      expect.objectContaining({
        actor: SYSTEM_ACTOR,
        action: 'domain.release',
        details: expect.objectContaining({ hostname: 'shop.example.org' }),
      }),
    ]);
    expect(announced.at(-1)).toBe(1);
  });

  it('does not verify a hostname another site proved first, and says so', async () => {
    const { domains, dns, launched, service } = harness();
    domains.add({
      id: 1,
      siteId: 2,
      hostname: 'shop.example.org',
      status: 'active',
      verifiedAt: T0,
      verifiedVia: 'dns',
      claimedHostname: 'shop.example.org',
    });
    domains.add({ id: 2, hostname: 'shop.example.org', verificationToken: 'b'.repeat(32) });
    publish(dns, 'shop.example.org', [TOKEN, 'b'.repeat(32)]);
    await service.check(2, actor, at(60_000));
    expect(domains.rows.get(2)).toMatchObject({ status: 'unverified', checkProblem: 'claimed-elsewhere' });
    expect(launched).toEqual([]);
  });

  it('never verifies a hostname that has become one of the platform’s own, whatever its record says', async () => {
    const { domains, dns, service } = harness();
    domains.add({ id: 1, hostname: 'blog.dais.example.org' });
    publish(dns, 'blog.dais.example.org', [TOKEN]);
    await service.check(1, actor, at(60_000));
    expect(domains.rows.get(1)).toMatchObject({ status: 'unverified', checkProblem: 'reserved' });
    expect(dns.lookups).toBe(0);
  });

  it('cannot check a hostname whose record name is too long for DNS, and says to ask an admin', async () => {
    const { domains, dns, service } = harness();
    const hostname = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.org`;
    domains.add({ id: 1, hostname });
    await service.check(1, actor, at(60_000));
    expect(domains.rows.get(1)).toMatchObject({ checkProblem: 'name-too-long', checkMessage: expect.stringMatching(/ask an admin/) });
    expect(dns.lookups).toBe(0);
  });

  it('keeps routing a verified domain whose record has gone through the grace period, then unverifies and unroutes it', async () => {
    const { domains, launched, audited, service } = harness();
    domains.add({
      id: 1,
      hostname: 'shop.example.org',
      status: 'active',
      verifiedAt: T0,
      verifiedVia: 'dns',
      claimedHostname: 'shop.example.org',
      releaseAt: null,
    });
    await service.check(1, SYSTEM_ACTOR, at(DAY));
    expect(domains.rows.get(1)).toMatchObject({ status: 'active', checkProblem: 'no-domain', lapseAt: at(4 * DAY) });
    expect(domains.rows.get(1)?.checkMessage).toMatch(/stays routed until 2026-12-05 00:00 UTC/);
    await service.check(1, SYSTEM_ACTOR, at(2 * DAY));
    expect(domains.rows.get(1)?.lapseAt).toEqual(at(4 * DAY));
    expect(launched).toEqual([]);

    const lapsed = await service.check(1, SYSTEM_ACTOR, at(4 * DAY));
    expect(lapsed).toMatchObject({
      domain: { status: 'unverified', claimedHostname: null, releaseAt: at(11 * DAY) },
      operation: { id: 100 },
    });
    expect(launched).toEqual([100]);
    expect(audited.map((entry) => entry.action)).toEqual(['domain.unverify']);
  });

  it('forgets a lapse when the record is back, and does not start one when the DNS merely failed', async () => {
    const { domains, dns, service } = harness();
    domains.add({
      id: 1,
      hostname: 'shop.example.org',
      status: 'active',
      verifiedAt: T0,
      verifiedVia: 'dns',
      claimedHostname: 'shop.example.org',
      lapseAt: at(3 * DAY),
    });
    publish(dns, 'shop.example.org', [TOKEN]);
    await service.check(1, SYSTEM_ACTOR, at(DAY));
    expect(domains.rows.get(1)).toMatchObject({ lapseAt: null, checkProblem: null, checkMessage: null });

    dns.answers.set('_dais-challenge.shop.example.org', { kind: 'timeout' });
    await service.check(1, SYSTEM_ACTOR, at(2 * DAY));
    expect(domains.rows.get(1)).toMatchObject({ lapseAt: null, checkProblem: 'timeout', nextCheckAt: at(2 * DAY + 15 * 60_000) });
  });

  it('never lapses a domain an admin verified (it has no record to lose)', async () => {
    const { domains, launched, service } = harness();
    domains.add({
      id: 1,
      hostname: 'shop.example.org',
      status: 'active',
      verifiedAt: T0,
      verifiedVia: 'admin',
      verifiedBy: 'ada',
      claimedHostname: 'shop.example.org',
      nextCheckAt: null,
    });
    await service.check(1, actor, at(30 * DAY));
    expect(domains.rows.get(1)).toMatchObject({
      status: 'active',
      verifiedVia: 'admin',
      lapseAt: null,
      nextCheckAt: null,
      checkProblem: 'no-domain',
    });
    expect(launched).toEqual([]);
  });

  it('shares one lookup between checks of the same domain asked at once', async () => {
    const { domains, dns, service } = harness();
    domains.add({ id: 1, hostname: 'shop.example.org' });
    let release = (): void => undefined;
    dns.hold = new Promise((resolve) => (release = resolve));
    const checks = [service.check(1, actor, at(60_000)), service.check(1, SYSTEM_ACTOR, at(60_000))];
    release();
    const [first, second] = await Promise.all(checks);
    expect(first).toBe(second);
    expect(dns.lookups).toBe(1);
  });

  it('keeps what it says of the longest hostname within the column that stores it', async () => {
    const { domains, dns, service } = harness();
    const hostname = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(41)}.org`;
    expect(hostname.length + '_dais-challenge.'.length).toBe(253);
    domains.add({ id: 1, hostname });
    publish(dns, hostname, ['not it', 'nor this']);
    await service.check(1, actor, at(60_000));
    expect(domains.rows.get(1)?.checkProblem).toBe('wrong-value');
    expect(domains.rows.get(1)?.checkMessage?.length).toBeLessThanOrEqual(1_000);
  });

  it('tells live viewers only when what a check says has changed', async () => {
    const { domains, announced, service } = harness();
    domains.add({ id: 1, hostname: 'shop.example.org' });
    await service.check(1, SYSTEM_ACTOR, at(60_000));
    await service.check(1, SYSTEM_ACTOR, at(90_000));
    expect(announced).toEqual([1]);
  });
});
