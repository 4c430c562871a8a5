import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { isDaisError, MAX_SITE_HOSTNAMES, siteSpecSchema, type CertificateList, type SiteSpec } from '@dais/shared';
import { NginxTier } from '@dais/nginx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorHarness } from '../../apps/orchestrator/test/support/orchestrator-harness';
import { siteRefusals } from '../../apps/orchestrator/src/nginx/site-refusals';
import { renderSitesConfig } from '../../apps/orchestrator/src/nginx/sites-config.render';
import { CertificateStore } from '../../apps/router/src/certificates/certificate-store';
import { loadRouterConfig } from '../../apps/router/src/config/router.config';
import { createRouter, type Router } from '../../apps/router/src/router';
import { selfSignedCertificate } from '../../apps/router/test/support/self-signed-certificate';
import { eventually, getWithHost } from '../support/http';
import { httpsGet } from '../support/https-get';
import { routerEnvFor, startPebble } from '../support/pebble';
import { startPlainNginx } from '../support/plain-nginx';
import { writeComponentKeys } from '../support/keys';
import { freePorts } from '../support/ports';
import { signedFetch, type TestSigner } from '../support/signed-fetch';
import { tempDir } from '../support/temp-dir';

/** `count` labels, each `letter` repeated `length` times, joined by dots. */
const labels = (count: number, length: number, letter = 'a') => Array.from({ length: count }, () => letter.repeat(length)).join('.');

/** 253 characters, the longest name DNS allows: three 63-letter labels and a 61-letter one, told apart by `tag`. */
const longest = (tag: string) => `${tag}${'x'.repeat(63 - tag.length)}.${labels(2, 63, 'b')}.${'c'.repeat(61)}`;
/** 127 labels, the most a 253-character name can have. */
const MOST_LABELS = labels(127, 1, 'q');
/** An internationalised name whose ASCII (punycode) form is as long as it may be. */
function longIdn(): { unicode: string; ascii: string } {
  const first = ['ü'.repeat(57), '日'.repeat(57), 'ж'.repeat(57)];
  let last = 'é';
  while (domainToASCII([...first, `${last}é`].join('.')).length <= 253) last += 'é';
  const unicode = [...first, last].join('.');
  return { unicode, ascii: domainToASCII(unicode) };
}
const IDN = longIdn();
/** A wildcard whose every name is 253 characters long (admins may add wildcards). */
const WILDCARD_BASE = `${labels(3, 63, 'w')}.${'v'.repeat(59)}`;

/** The site's own name, the three extremes, a wildcard, and 253-character names up to the limit of 100. */
const HOSTNAMES = [
  'long.dais.localhost',
  MOST_LABELS,
  IDN.unicode,
  `*.${WILDCARD_BASE}`,
  ...Array.from({ length: MAX_SITE_HOSTNAMES - 4 }, (_, index) => longest(`n${index}`)),
];
const ASCII_HOSTNAMES = HOSTNAMES.map((hostname) => (hostname === IDN.unicode ? IDN.ascii : hostname));
const CERTIFIED = ASCII_HOSTNAMES.filter((hostname) => !hostname.startsWith('*.'));

describe('every hostname the API accepts is served at both tiers (real nginx: orchestrator behind router, HTTP and HTTPS)', () => {
  let orchestrator: OrchestratorHarness;
  let router: Router;
  let routerDir: Awaited<ReturnType<typeof tempDir>>;
  let ports: { api: number; http: number; https: number };
  let manager: TestSigner;
  let certificate: { keyPem: string; fullchainPem: string };

  beforeAll(async () => {
    expect(HOSTNAMES).toHaveLength(MAX_SITE_HOSTNAMES);
    for (const hostname of [...ASCII_HOSTNAMES, `x.${WILDCARD_BASE}`]) expect(hostname.length <= 253).toBe(true);
    expect(longest('n0')).toHaveLength(253);
    expect(MOST_LABELS).toHaveLength(253);
    expect(IDN.ascii.length).toBeGreaterThan(240);
    orchestrator = await OrchestratorHarness.start('docker');
    routerDir = await tempDir('long-hostnames-router');
    const keys = await writeComponentKeys(join(routerDir.path, 'keys'), ['manager', 'router']);
    const [api, http, https, status] = await freePorts(4);
    ports = { api: api!, http: http!, https: https! };
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'router' };
    // A certificate for every name but the wildcard, as the router would hold after ACME.
    certificate = selfSignedCertificate(CERTIFIED);
    const store = new CertificateStore(join(routerDir.path, 'router', 'acme', 'certificates'));
    await store.init();
    await store.save(1, certificate.keyPem, certificate.fullchainPem);
    router = createRouter(
      loadRouterConfig({
        DAIS_STATE_DIR: routerDir.path,
        DAIS_ROUTER_PORT: String(api),
        DAIS_ROUTER_HTTP_PORT: String(http),
        DAIS_ROUTER_HTTPS_PORT: String(https),
        DAIS_ROUTER_STATUS_PORT: String(status),
        DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${orchestrator.sitesPort}`,
        DAIS_ACME_ENABLED: 'false',
        DAIS_LOG_LEVEL: 'silent',
      }),
    );
    await router.start();
  });

  afterAll(async () => {
    await router.stop();
    await routerDir.remove();
    await orchestrator.destroy();
  });

  it('applies a site with the longest names, the most labels, a long IDN, a wildcard and 100 names in all', async () => {
    // A body limit gives the site its own server blocks, so the names are also server_name at both tiers.
    const site = { id: 1, name: 'long', type: 'static', availability: 'enabled', hostnames: HOSTNAMES, nginx: { clientMaxBodyMb: 5 } };
    const applied = await orchestrator.put(site);
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect((applied.json as { hostnames: string[] }).hostnames).toEqual(ASCII_HOSTNAMES);
    await writeFile(join(orchestrator.siteDir(1), 'public', 'index.html'), 'served through both tiers');
    const neighbour = await orchestrator.put({
      id: 2,
      name: 'short',
      type: 'static',
      availability: 'enabled',
      hostnames: ['short.dais.localhost'],
    });
    expect(neighbour.status).toBe(200);
    const route = { siteId: 1, hostnames: HOSTNAMES, certificateHostnames: CERTIFIED, clientMaxBodyMb: 5 };
    const routed = await signedFetch(`http://127.0.0.1:${ports.api}`, manager, 'PUT', '/v1/routes/1', { body: route });
    expect(routed.status, JSON.stringify(routed.json)).toBe(200);
    expect(
      (
        await signedFetch(`http://127.0.0.1:${ports.api}`, manager, 'PUT', '/v1/routes/2', {
          body: { siteId: 2, hostnames: ['short.dais.localhost'] },
        })
      ).status,
    ).toBe(200);
  });

  it('serves every name over HTTPS at the router, with the certificate chosen by SNI, through the orchestrator', async () => {
    for (const hostname of CERTIFIED) {
      const answer = await httpsGet(ports.https, hostname, certificate.fullchainPem);
      expect(answer.status, hostname).toBe(200);
      expect(answer.body).toBe('served through both tiers');
    }
  });

  it('redirects plain HTTP of certified names to HTTPS, and serves the wildcard’s 253-character names over HTTP', async () => {
    for (const hostname of [MOST_LABELS, IDN.ascii, longest('n95')]) {
      const answer = await getWithHost(ports.http, hostname);
      expect(answer.status, hostname).toBe(301);
      expect(answer.headers.location).toBe(`https://${hostname}:${ports.https}/`);
    }
    const underWildcard = await getWithHost(ports.http, `x.${WILDCARD_BASE}`);
    expect(underWildcard.status).toBe(200);
    expect(underWildcard.body).toBe('served through both tiers');
    expect((await getWithHost(ports.http, 'short.dais.localhost')).status).toBe(200);
  });

  it('serves every name at the orchestrator directly too', async () => {
    for (const hostname of [...CERTIFIED, `x.${WILDCARD_BASE}`]) {
      const page = await orchestrator.visit(hostname);
      expect(page.status, hostname).toBe(200);
      expect(page.body).toBe('served through both tiers');
    }
  });
});

describe('a certificate can be ordered for names longer than a certificate’s common name (real Pebble, real router)', () => {
  // Pebble's own DNS client cannot resolve names past ~190 characters ("dns: overflowing header
  // size"), so this part stays below that; the 253-character names are served above.
  const NAMES = [
    `${'k'.repeat(63)}.${'l'.repeat(63)}.${'m'.repeat(52)}`,
    labels(90, 1, 'r'),
    domainToASCII(`${'ü'.repeat(57)}.${'日'.repeat(57)}.example`),
  ];

  it('issues one certificate for them and serves them over HTTPS', async () => {
    expect(NAMES.every((name) => name.length > 64 && name.length <= 180)).toBe(true);
    const dir = await tempDir('long-hostnames-acme');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'router']);
    const [api, http, https, status, upstream] = await freePorts(5);
    const pebble = await startPebble({ httpPort: http! });
    const backend = await startPlainNginx(
      'long-hostnames-backend',
      () => `    server {\n        listen 127.0.0.1:${upstream!};\n        return 200 "issued";\n    }`,
    );
    const acmeRouter = createRouter(
      loadRouterConfig({
        DAIS_STATE_DIR: dir.path,
        DAIS_ROUTER_PORT: String(api),
        DAIS_ROUTER_HTTP_PORT: String(http),
        DAIS_ROUTER_HTTPS_PORT: String(https),
        DAIS_ROUTER_STATUS_PORT: String(status),
        DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${upstream!}`,
        DAIS_LOG_LEVEL: 'silent',
        ...routerEnvFor(pebble, http!),
      }),
    );
    const signer: TestSigner = { callerId: 'manager', privateKey: keys.manager!, audience: 'router' };
    const routerApi = `http://127.0.0.1:${api}`;
    try {
      await acmeRouter.start();
      const routed = await signedFetch(routerApi, signer, 'PUT', '/v1/routes/7', {
        body: { siteId: 7, hostnames: NAMES, certificateHostnames: NAMES },
      });
      expect(routed.status, JSON.stringify(routed.json)).toBe(200);
      const certificates = async () =>
        ((await signedFetch(routerApi, signer, 'GET', '/v1/certificates')).json as CertificateList).certificates;
      const issued = await eventually(
        certificates,
        (list) => list.length === 3 && list.every((entry) => entry.state !== 'pending'),
        45_000,
        200,
      );
      expect(issued.map((entry) => [entry.hostname, entry.state, entry.message])).toEqual(NAMES.map((name) => [name, 'active', null]));
      const root = await pebble.issuingRoot();
      for (const name of NAMES) {
        const answer = await httpsGet(https!, name, root);
        expect(answer.status, name).toBe(200);
        expect(answer.body).toBe('issued');
      }
    } finally {
      await acmeRouter.stop();
      await backend.stop();
      await pebble.stop();
      await dir.remove();
    }
  }, 90_000);
});

describe('an owner never sees nginx’s own error text', () => {
  it('a refused change names the hostname and what to do; nginx’s text goes to the log; other sites keep applying', async () => {
    // nginx configured as before hashes were sized from their keys (fixed 128-byte buckets): the
    // field report's 211-character domain made nginx refuse the whole configuration.
    const dir = await tempDir('refusal-message');
    const [sitesPort, statusPort] = await freePorts(2);
    const logged: object[] = [];
    const render = (state: ReadonlyMap<number, SiteSpec>, generation: number) => {
      const files = renderSitesConfig({
        prefix: join(dir.path, 'nginx'),
        generation,
        statusPort: statusPort!,
        listen: { host: '127.0.0.1', port: sitesPort! },
        sitesRoot: dir.path,
        publicDirOf: (id) => join(dir.path, String(id)),
        endpointsOf: () => [],
        sites: state.values(),
      });
      return { ...files, 'nginx.conf': (files['nginx.conf'] ?? '').replace(/map_hash_bucket_size \d+;/, 'map_hash_bucket_size 128;') };
    };
    const tier = new NginxTier({
      nginx: { binary: 'nginx', prefix: join(dir.path, 'nginx'), statusPort: statusPort! },
      stateDir: join(dir.path, 'state'),
      schema: siteSpecSchema,
      render,
      explainRefusal: siteRefusals({ warn: (details) => void logged.push(details) }),
    });
    const spec = (id: number, hostnames: string[]): SiteSpec =>
      siteSpecSchema.parse({ id, name: `s${id}`, type: 'static', availability: 'enabled', hostnames });
    const domain211 = `${labels(3, 63, 'd')}.${'e'.repeat(19)}`;
    try {
      await tier.start();
      await mkdir(join(dir.path, '2'));
      await writeFile(join(dir.path, '2', 'index.html'), 'the other site');
      const [refused, other] = await Promise.allSettled([
        tier.table.set(1, spec(1, ['s1.dais.localhost', domain211])),
        tier.table.set(2, spec(2, ['s2.dais.localhost', 'shop.example.org'])),
      ]);
      expect(other.status).toBe('fulfilled');
      expect(refused.status).toBe('rejected');
      const error = (refused as PromiseRejectedResult).reason as Error;
      expect(isDaisError(error, 'NGINX_CONFIG_REJECTED')).toBe(true);
      expect(error.message).toBe(
        `Site 1 could not be published: nginx refused the hostname ${domain211}. Remove it from the site (or replace it), then retry the operation; ` +
          `a valid name should never be refused, so please tell an administrator (nginx's reason is in the orchestrator log).`,
      );
      expect(error.message).not.toMatch(/map_hash|bucket|emerg|nginx\.conf/);
      expect(JSON.stringify(logged)).toContain('could not build map_hash');
      expect((await getWithHost(sitesPort!, 'shop.example.org')).body).toBe('the other site');
    } finally {
      await tier.stopNginx();
      await dir.remove();
    }
  });
});
