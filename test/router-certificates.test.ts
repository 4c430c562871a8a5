import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateList, CertificateStatus, DomainView, OperationView, SiteView } from '@dais/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVerifiedDomain } from './support/domains';
import { eventually } from './support/http';
import { httpsGet } from './support/https-get';
import { routerEnvFor, startPebble, type Pebble } from './support/pebble';
import { freePort } from './support/ports';
import { signedFetch } from './support/signed-fetch';
import { TestStack } from './support/stack';

describe('router certificates (real Pebble, real nginx, the manager driving)', () => {
  let stack: TestStack;
  let pebble: Pebble;
  let pebbleRoot: string;
  let httpsPort: number;
  const sites: Record<string, SiteView> = {};

  const acmeDir = () => join(stack.stateDir, 'router', 'acme');
  const certificates = async (): Promise<CertificateStatus[]> => {
    const answer = await signedFetch(
      `http://127.0.0.1:${stack.ports.router}`,
      stack.signer('manager', 'router'),
      'GET',
      '/v1/certificates',
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    return (answer.json as CertificateList).certificates;
  };
  const statusOf = async (hostname: string) => (await certificates()).find((entry) => entry.hostname === hostname);
  const waitForState = async (hostname: string, check: (status: CertificateStatus | undefined) => boolean, timeoutMs = 45_000) => {
    const status = await eventually(() => statusOf(hostname), check, timeoutMs, 200);
    expect(
      check(status),
      `${hostname}: ${JSON.stringify(status)}\n${stack.logOf('router').slice(-3000)}\n${pebble.log().slice(-2000)}`,
    ).toBe(true);
    return status;
  };
  const finished = async (id: number) =>
    expect((await stack.waitForOperation<OperationView>(id, undefined, 60_000)).state).toBe('succeeded');
  const createSite = async (name: string) => {
    const answer = await stack.api<SiteView>('POST', '/api/sites', { name });
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    await finished(answer.json.operation?.id ?? 0);
    sites[name] = answer.json;
    return answer.json;
  };
  // Verified by the admin: proofs of control have their own test (test/security/domain-claims.test.ts).
  const addDomain = async (site: SiteView, hostname: string) => {
    const added = await addVerifiedDomain(stack, site.id, hostname);
    await finished(added.operation.id);
    return added.domain;
  };
  const restartRouter = async (env: Record<string, string> = {}) => {
    await stack.stopProcess('router');
    Object.assign(stack.env, env);
    stack.startProcess('router');
    await stack.waitUntilReady();
  };

  beforeAll(async () => {
    httpsPort = await freePort();
    stack = await TestStack.start('certs', {
      env: {
        DAIS_ROUTER_HTTPS_PORT: String(httpsPort),
        DAIS_ACME_EMAIL: 'admin@dais.test',
        DAIS_ACME_RETRY_MIN_MS: '1000',
        DAIS_ACME_RETRY_MAX_MS: '4000',
        DAIS_ACME_RENEW_INTERVAL_MS: '2000',
      },
      prepare: async ({ ports }) => {
        pebble = await startPebble({ httpPort: ports.edge, validityDays: 90 });
        return routerEnvFor(pebble, ports.edge);
      },
    });
    pebbleRoot = await pebble.issuingRoot();
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
    await pebble.stop();
  });

  it('issues a certificate for a custom domain and serves the site over HTTPS, verified against Pebble', async () => {
    const site = await createSite('shop');
    await addDomain(site, 'shop.test');
    const status = await waitForState('shop.test', (s) => s?.state === 'active');
    expect(status).toMatchObject({ siteId: site.id, message: null, retryAt: null });
    expect(new Date(status?.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 80 * 24 * 3600 * 1000);

    const page = await httpsGet(httpsPort, 'shop.test', pebbleRoot);
    expect(page.status).toBe(200);
    expect(page.body).toContain('shop');
    // The site's own hostname has no certificate: HTTPS refuses it rather than showing shop.test's.
    await expect(httpsGet(httpsPort, 'shop.dais.localhost', pebbleRoot)).rejects.toThrow();

    const siteDir = join(acmeDir(), 'certificates', String(site.id));
    expect((await stat(siteDir)).mode & 0o777).toBe(0o700);
    const meta = JSON.parse(await readFile(join(siteDir, 'meta.json'), 'utf8')) as { pair: string; hostnames: string[] };
    expect(meta.hostnames).toEqual(['shop.test']);
    expect((await stat(join(siteDir, `${meta.pair}.key.pem`))).mode & 0o777).toBe(0o600);
    expect((await stat(join(acmeDir(), 'account.key'))).mode & 0o777).toBe(0o600);
  });

  it('redirects plain HTTP for a domain with a certificate to HTTPS; the ACME challenge path still answers', async () => {
    const redirected = await stack.visit('shop.test', '/a/page?x=1');
    expect(redirected.status).toBe(301);
    expect(redirected.headers.location).toBe(`https://shop.test:${httpsPort}/a/page?x=1`);
    // The site's own hostname has no certificate: still plain HTTP.
    expect((await stack.visit('shop.dais.localhost')).status).toBe(200);

    await writeFile(join(acmeDir(), 'challenges', 'probe-token_1'), 'probe-token_1.answer');
    for (const host of ['shop.test', 'shop.dais.localhost', 'unknown.example.org']) {
      const answer = await stack.visit(host, '/.well-known/acme-challenge/probe-token_1');
      expect(answer.status, host).toBe(200);
      expect(answer.body).toBe('probe-token_1.answer');
      expect((await stack.visit(host, '/.well-known/acme-challenge/no-such-token')).status).toBe(404);
    }
    expect((await stack.visit('shop.test', '/.well-known/acme-challenge/../../account.key')).status).not.toBe(200);
  });

  it('a domain whose challenge cannot be reached ends in error without breaking the other domains', async () => {
    await pebble.setAddress('unreachable.test', '127.0.0.2');
    const broken = await createSite('broken');
    await addDomain(broken, 'unreachable.test');
    const status = await waitForState('unreachable.test', (s) => s?.state === 'error');
    expect(status?.message).toMatch(/^unreachable\.test resolves to 127\.0\.0\.2, which refused connections/);
    expect(status?.retryAt).not.toBeNull();
    expect((await stack.visit('unreachable.test')).status).toBe(200);

    const other = await createSite('other');
    await addDomain(other, 'other.test');
    await waitForState('other.test', (s) => s?.state === 'active');
    expect((await httpsGet(httpsPort, 'other.test', pebbleRoot)).status).toBe(200);
    expect((await httpsGet(httpsPort, 'shop.test', pebbleRoot)).status).toBe(200);
    expect((await statusOf('unreachable.test'))?.state).toBe('error');
  });

  it('the manager shows each domain’s certificate (API and live events): active with expiry, error with the reason', async () => {
    const domainOf = async (site: SiteView | undefined, hostname: string) =>
      (await stack.api<SiteView>('GET', `/api/sites/${site?.id}`)).json.domains.find((domain) => domain.hostname === hostname);
    const active = await eventually(
      () => domainOf(sites.other, 'other.test'),
      (domain) => domain?.certificate?.state === 'active',
    );
    expect(active?.certificate).toEqual({
      state: 'active',
      expiresAt: (await statusOf('other.test'))?.expiresAt,
      message: null,
      retryAt: null,
    });
    // The router retries every 1-4 s here; while a retry runs, the hostname is still in error but no
    // retry is scheduled yet (retryAt null), and the manager's 1 s sync may catch that moment.
    const failed = await eventually(
      () => domainOf(sites.broken, 'unreachable.test'),
      (domain) => domain?.certificate?.state === 'error' && domain.certificate.retryAt !== null,
    );
    expect(failed?.certificate?.message).toMatch(/^unreachable\.test resolves to 127\.0\.0\.2, which refused connections/);

    // A change arrives on the site's live events: a new domain goes from pending to active.
    const socket = io(`http://127.0.0.1:${stack.ports.manager}`, { auth: { token: stack.adminToken }, transports: ['websocket'] });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      expect(await socket.emitWithAck('site:subscribe', { siteId: sites.other?.id })).toEqual({ ok: true });
      const announced = new Promise<SiteView>((resolve) =>
        socket.on('site:updated', (view: SiteView) => {
          if (view.domains.find((domain) => domain.hostname === 'www.other.test')?.certificate?.state === 'active') resolve(view);
        }),
      );
      const added = await addDomain(sites.other as SiteView, 'www.other.test');
      expect(added.certificate?.state).toBe('pending');
      const view = await announced;
      expect(view.domains.find((domain) => domain.hostname === 'www.other.test')?.certificate?.expiresAt).not.toBeNull();
    } finally {
      socket.close();
    }
  });

  it('a router restart keeps serving every certificate without ordering again', async () => {
    const before = await httpsGet(httpsPort, 'shop.test', pebbleRoot);
    await restartRouter();
    const after = await httpsGet(httpsPort, 'shop.test', pebbleRoot);
    expect(after.status).toBe(200);
    expect(after.serial).toBe(before.serial);
    expect((await httpsGet(httpsPort, 'other.test', pebbleRoot)).status).toBe(200);
    expect((await statusOf('shop.test'))?.state).toBe('active');
  });

  it('detects a corrupt certificate at start, leaves it out of nginx, reports it and orders a new one', async () => {
    const siteDir = join(acmeDir(), 'certificates', String(sites.shop?.id));
    const meta = JSON.parse(await readFile(join(siteDir, 'meta.json'), 'utf8')) as { pair: string };
    await stack.stopProcess('router');
    await writeFile(
      join(siteDir, `${meta.pair}.fullchain.pem`),
      '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n',
    );
    stack.startProcess('router');
    await stack.waitUntilReady();
    // Other certificates kept serving from the first apply on.
    expect((await httpsGet(httpsPort, 'other.test', pebbleRoot)).status).toBe(200);
    expect(await stack.logUntil('router', /stored certificate is unusable/)).toContain('stored certificate is unusable');
    await waitForState('shop.test', (s) => s?.state === 'active');
    const page = await httpsGet(httpsPort, 'shop.test', pebbleRoot);
    expect(page.status).toBe(200);
    const fresh = JSON.parse(await readFile(join(siteDir, 'meta.json'), 'utf8')) as { pair: string };
    expect(fresh.pair).not.toBe(meta.pair);
    expect(new X509Certificate(await readFile(join(siteDir, `${fresh.pair}.fullchain.pem`))).serialNumber.toLowerCase()).toBe(
      page.serial.toLowerCase(),
    );
  });

  it('renews a certificate that is due, serving the old one until the new one is in', async () => {
    const before = await httpsGet(httpsPort, 'other.test', pebbleRoot);
    // 90-day certificates are due at once when renewals start 100 days ahead.
    await restartRouter({ DAIS_ACME_RENEW_DAYS: '100' });
    const renewed = await eventually(
      () => httpsGet(httpsPort, 'other.test', pebbleRoot),
      (answer) => answer.serial !== before.serial,
      45_000,
      200,
    );
    expect(renewed.serial, stack.logOf('router').slice(-3000)).not.toBe(before.serial);
    expect(renewed.status).toBe(200);
  });

  it('the budget defers renewals past its limit: the certificate keeps serving and its status says until when', async () => {
    // Still due at every check (2 s): renewals repeat until the budget's 4 identical certificates a week.
    const status = await waitForState('other.test', (s) => s?.state === 'active' && /Deferred until/.test(s.message ?? ''));
    expect(status?.message).toMatch(/The current certificate stays in use until/);
    expect(new Date(status?.retryAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
    expect((await httpsGet(httpsPort, 'other.test', pebbleRoot)).status).toBe(200);
    await restartRouter({ DAIS_ACME_RENEW_DAYS: '30' });
  });

  it('removing the domain removes its HTTPS server, its status and its files', async () => {
    const site = sites.shop!;
    const domains = (await stack.api<{ domains: DomainView[] }>('GET', `/api/sites/${site.id}/domains`)).json.domains;
    const removal = await stack.api<OperationView>('DELETE', `/api/sites/${site.id}/domains/${domains[0]?.id}`);
    expect(removal.status).toBe(202);
    await finished(removal.json.id);
    await expect(httpsGet(httpsPort, 'shop.test', pebbleRoot)).rejects.toThrow();
    expect((await stack.visit('shop.test')).status).toBe(404);
    expect(await statusOf('shop.test')).toBeUndefined();
    await expect(stat(join(acmeDir(), 'certificates', String(site.id)))).rejects.toThrow(/ENOENT/);
    expect((await httpsGet(httpsPort, 'other.test', pebbleRoot)).status).toBe(200);
  });
});
