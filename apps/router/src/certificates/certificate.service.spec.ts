import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError, type CertificateStatus, type RouteSpec } from '@dais/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/support/http';
import { tempDir } from '../../../../test/support/temp-dir';
import { selfSignedCertificate } from '../../test/support/self-signed-certificate';
import { AcmeOrderError, type CertificateAuthority, type IssuedCertificate } from './certificate-authority';
import type { BudgetDecision, IssuanceBudget, ReachabilityProbe } from './certificate-ports';
import { CertificateStore } from './certificate-store';
import { CertificateService } from './certificate.service';

/** Issues self-signed certificates, or fails as told; records every order. */
class FakeAuthority implements CertificateAuthority {
  readonly orders: string[][] = [];
  failure: Error | null = null;
  validityDays = 90;
  issue(hostnames: readonly string[]): Promise<IssuedCertificate> {
    this.orders.push([...hostnames]);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(selfSignedCertificate(hostnames, this.validityDays));
  }
}

class FakeBudget implements IssuanceBudget {
  decision: BudgetDecision = { allowed: true };
  readonly issued: string[][] = [];
  readonly failedValidations: string[] = [];
  orders = 0;
  check(): BudgetDecision {
    return this.decision;
  }
  recordOrderCreated(): Promise<void> {
    this.orders += 1;
    return Promise.resolve();
  }
  recordIssued(hostnames: readonly string[]): Promise<void> {
    this.issued.push([...hostnames]);
    return Promise.resolve();
  }
  recordFailedValidation(hostname: string): Promise<void> {
    this.failedValidations.push(hostname);
    return Promise.resolve();
  }
}

class FakeProbe implements ReachabilityProbe {
  readonly unreachable = new Set<string>();
  check(hostname: string): Promise<void> {
    if (this.unreachable.has(hostname)) {
      return Promise.reject(
        new DaisError('DOMAIN_UNREACHABLE', `${hostname} does not reach this router: point a CNAME at edge.example.net.`),
      );
    }
    return Promise.resolve();
  }
}

const route = (siteId: number, certificateHostnames: string[]): RouteSpec => ({
  siteId,
  hostnames: [`site${siteId}.dais.localhost`, ...certificateHostnames],
  certificateHostnames,
});

describe('certificate manager', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: CertificateStore;
  let authority: FakeAuthority;
  let budget: FakeBudget;
  let probe: FakeProbe;
  let reapplies: number;
  let services: CertificateService[];

  const service = (overrides: { renewDays?: number; authority?: CertificateAuthority | null } = {}) => {
    const created = new CertificateService({
      store,
      authority: overrides.authority === undefined ? authority : overrides.authority,
      budget,
      probe,
      renewDays: overrides.renewDays ?? 30,
      renewIntervalMs: 60_000,
      retry: { baseMs: 40, maxMs: 80 },
      reapply: () => Promise.resolve(++reapplies),
      log: { info: () => undefined, warn: () => undefined },
    });
    services.push(created);
    return created;
  };
  const statusOf = (manager: CertificateService, hostname: string): CertificateStatus | undefined =>
    manager.list().find((status) => status.hostname === hostname);
  const until = (manager: CertificateService, hostname: string, check: (status: CertificateStatus | undefined) => boolean) =>
    eventually(() => Promise.resolve(statusOf(manager, hostname)), check, 5_000, 10);

  beforeEach(async () => {
    dir = await tempDir('certificate-manager');
    store = new CertificateStore(join(dir.path, 'certificates'));
    authority = new FakeAuthority();
    budget = new FakeBudget();
    probe = new FakeProbe();
    reapplies = 0;
    services = [];
  });
  afterEach(async () => {
    for (const each of services) {
      each.stop();
      await each.idle();
    }
    await dir.remove();
  });

  it('orders one certificate per site covering its hostnames, installs it with one re-apply, and reports it active', async () => {
    const manager = service();
    await manager.load();
    await manager.start([]);
    await manager.routeApplied(route(1, ['shop.example.org', 'www.shop.example.org']));
    expect(statusOf(manager, 'shop.example.org')?.state).toBe('pending');
    await manager.idle();
    expect(authority.orders).toEqual([['shop.example.org', 'www.shop.example.org']]);
    expect(budget.issued).toEqual([['shop.example.org', 'www.shop.example.org']]);
    expect(budget.orders).toBe(1);
    expect(reapplies).toBe(1);
    expect(manager.servable()).toMatchObject([{ siteId: 1, hostnames: ['shop.example.org', 'www.shop.example.org'] }]);
    expect(statusOf(manager, 'www.shop.example.org')).toMatchObject({ siteId: 1, state: 'active', message: null, retryAt: null });

    await manager.routeApplied(route(1, ['www.shop.example.org', 'shop.example.org']));
    await manager.idle();
    expect(authority.orders).toHaveLength(1);
    expect(budget.orders).toBe(1);
  });

  it('re-orders the whole site when a hostname is added, serving the old certificate meanwhile', async () => {
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    await manager.routeApplied(route(1, ['a.example.org', 'b.example.org']));
    expect(statusOf(manager, 'a.example.org')?.state).toBe('active');
    expect(statusOf(manager, 'b.example.org')?.state).toBe('pending');
    await manager.idle();
    expect(authority.orders).toEqual([['a.example.org'], ['a.example.org', 'b.example.org']]);
    expect(statusOf(manager, 'b.example.org')?.state).toBe('active');
  });

  it('waits when the budget defers an order: pending, with the reason and when it retries', async () => {
    const retryAt = new Date(Date.now() + 3_600_000);
    budget.decision = { allowed: false, retryAt, reason: 'Let us not exceed 40 certificates for example.org this week.' };
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    expect(authority.orders).toEqual([]);
    expect(statusOf(manager, 'a.example.org')).toMatchObject({
      state: 'pending',
      message: 'Let us not exceed 40 certificates for example.org this week.',
      retryAt: retryAt.toISOString(),
    });
  });

  it('an unreachable hostname is an error with the probe message; the site is issued for the others and the rest of the queue goes on', async () => {
    probe.unreachable.add('bad.example.org');
    probe.unreachable.add('bad2.example.org');
    const manager = service();
    await manager.load();
    await manager.start([
      route(1, ['bad.example.org']),
      route(2, ['good.example.org', 'bad2.example.org']),
      route(3, ['fine.example.org']),
    ]);
    await manager.idle();
    expect(statusOf(manager, 'bad.example.org')).toMatchObject({
      state: 'error',
      message: expect.stringContaining('point a CNAME') as unknown,
    });
    expect(statusOf(manager, 'bad.example.org')?.retryAt).not.toBeNull();
    expect(statusOf(manager, 'bad2.example.org')?.state).toBe('error');
    expect(statusOf(manager, 'good.example.org')?.state).toBe('active');
    expect(statusOf(manager, 'fine.example.org')?.state).toBe('active');
    expect(authority.orders).toEqual([['good.example.org'], ['fine.example.org']]);

    probe.unreachable.clear();
    await until(manager, 'bad.example.org', (status) => status?.state === 'active');
    await until(manager, 'bad2.example.org', (status) => status?.state === 'active');
  });

  it('an ACME failure is an error with the server reason, counts failed validations, and is retried with backoff', async () => {
    authority.failure = new AcmeOrderError('Validation of a.example.org failed: connection refused', ['a.example.org']);
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    expect(statusOf(manager, 'a.example.org')).toMatchObject({
      state: 'error',
      message: 'Validation of a.example.org failed: connection refused',
    });
    expect(budget.failedValidations).toEqual(['a.example.org']);
    await eventually(
      () => Promise.resolve(authority.orders.length),
      (count) => count >= 3,
      5_000,
      10,
    );
    authority.failure = null;
    await until(manager, 'a.example.org', (status) => status?.state === 'active');
  });

  it('renews a certificate that is due; a failed renewal keeps it active and says why', async () => {
    const first = service();
    await first.load();
    await first.start([route(1, ['a.example.org'])]);
    await first.idle();
    first.stop();

    authority.failure = new AcmeOrderError('The ACME server refused the order: service unavailable', []);
    const renewing = service({ renewDays: 100 });
    await renewing.load();
    await renewing.start([route(1, ['a.example.org'])]);
    await renewing.idle();
    expect(authority.orders).toHaveLength(2);
    const status = statusOf(renewing, 'a.example.org');
    expect(status).toMatchObject({ state: 'active', message: expect.stringContaining('service unavailable') as unknown });
    expect(renewing.servable()).toHaveLength(1);

    authority.failure = null;
    const before = renewing.servable()[0]?.certificateFile;
    await eventually(
      () => Promise.resolve(renewing.servable()[0]?.certificateFile),
      (file) => file !== before,
      5_000,
      10,
    );
  });

  it('removing the route deletes the files and the status, and stops ordering', async () => {
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    await manager.routeRemoved(1);
    expect(manager.list()).toEqual([]);
    expect(manager.servable()).toEqual([]);
    expect(await readdir(store.dir)).toEqual([]);
  });

  it('a removal while the order is running leaves no files behind', async () => {
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.routeRemoved(1);
    await manager.idle();
    expect(await readdir(store.dir)).toEqual([]);
    expect(manager.list()).toEqual([]);
  });

  it('at start, a corrupt stored certificate is left out, reported, and ordered again', async () => {
    const pair = selfSignedCertificate(['a.example.org']);
    const saved = await store.save(1, pair.keyPem, pair.fullchainPem);
    await writeFile(saved.certificateFile, 'garbage');
    authority.failure = new AcmeOrderError('down', []);
    const manager = service();
    await manager.load();
    expect(manager.servable()).toEqual([]);
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    expect(statusOf(manager, 'a.example.org')).toMatchObject({ state: 'error', message: expect.stringContaining('unusable') as unknown });
    authority.failure = null;
    await until(manager, 'a.example.org', (status) => status?.state === 'active');
  });

  it('a certificate whose files vanish from disk is left out of the next render and ordered again', async () => {
    const manager = service();
    await manager.load();
    await manager.start([route(1, ['shop.example.org'])]);
    await manager.idle();
    const [first] = manager.servable();
    expect(first).toBeDefined();
    await rm(first?.keyFile ?? '');
    // The render that follows must not name the missing file (nginx -t would refuse every change).
    expect(manager.servable()).toEqual([]);
    await eventually(
      () => Promise.resolve(manager.servable()),
      (servable) => servable.length === 1,
    );
    expect(authority.orders).toHaveLength(2);
    expect(statusOf(manager, 'shop.example.org')?.state).toBe('active');
  });

  it('with ACME turned off, serves what is stored and orders nothing', async () => {
    const manager = service({ authority: null });
    await manager.load();
    await manager.start([route(1, ['a.example.org'])]);
    await manager.idle();
    expect(authority.orders).toEqual([]);
    expect(statusOf(manager, 'a.example.org')).toMatchObject({
      state: 'pending',
      message: 'Certificate ordering is turned off on this router.',
    });
  });
});
