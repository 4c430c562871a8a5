import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { NginxInstance, nginxValue, renderMainConfig } from '@dais/nginx';
import { isDaisError, type DaisError } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsAddressResolver, type AddressResolver } from '../apps/router/src/certificates/policy/address-lookup';
import { HttpChallengeFetcher, type ChallengeFetcher } from '../apps/router/src/certificates/policy/challenge-fetch';
import { HttpReachabilityProbe } from '../apps/router/src/certificates/policy/reachability-probe';
import { startChallengeDns, type ChallengeDns } from './support/challenge-dns';
import { FolderChallengeStore } from './support/challenge-folder';
import { freePorts } from './support/ports';
import { tempDir } from './support/temp-dir';

/**
 * The reachability pre-flight against the real things it meets in production: DNS answers from a
 * real DNS server (pebble-challtestsrv) and HTTP from a real nginx serving the challenge folder,
 * next to addresses where nothing listens, another server answers, or a server never replies.
 * Every address is on loopback: 127.0.0.1 is "this router", the others play the rest of the world.
 */
const ROUTER = '127.0.0.1';
const REFUSING = '127.0.0.2';
const OTHER_SERVER = '127.0.0.3';
const SILENT = '127.0.0.4';
const REDIRECTING = '127.0.0.5';

let dns: ChallengeDns;
let httpPort: number;
let store: FolderChallengeStore;
/** What afterAll undoes, last started first. */
const cleanups: (() => Promise<void>)[] = [];
const lookups: string[] = [];
const fetches: string[] = [];

/** The probe under test, counting the DNS lookups and HTTP requests it makes. */
function probe(options: { allowPrivateAddresses?: boolean; dnsServer?: string } = {}): HttpReachabilityProbe {
  const realResolver = new DnsAddressResolver({ server: options.dnsServer ?? dns.server, timeoutMs: 2000, tries: 1 });
  const resolver: AddressResolver = { lookup: (hostname) => (lookups.push(hostname), realResolver.lookup(hostname)) };
  const realFetcher = new HttpChallengeFetcher();
  const fetcher: ChallengeFetcher = { fetch: (input) => (fetches.push(input.target.address), realFetcher.fetch(input)) };
  return new HttpReachabilityProbe({
    preflight: {
      dnsServer: null,
      httpPort,
      publicHostname: 'edge.dais.test',
      allowPrivateAddresses: options.allowPrivateAddresses ?? true,
    },
    challenges: store,
    log: { warn: () => undefined },
    timeouts: { httpMs: 2000 },
    resolver,
    fetcher,
  });
}

async function failure(hostname: string, p = probe()): Promise<DaisError> {
  const error: unknown = await p.check(hostname).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isDaisError(error)) throw new Error(`expected a DaisError for ${hostname}, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  const [port, statusPort] = (await freePorts(2)) as [number, number];
  httpPort = port;
  const challenges = await tempDir('preflight-challenges');
  const prefix = await tempDir('preflight-nginx');
  cleanups.push(
    () => challenges.remove(),
    () => prefix.remove(),
  );
  store = new FolderChallengeStore(challenges.path);
  // "This router": answers challenges only for the hostnames it knows, 404 for any other Host.
  const http = `    server {
        listen ${ROUTER}:${port} default_server;
        location / { return 404; }
    }
    server {
        listen ${ROUTER}:${port};
        server_name reach.test v6.test;
        location /.well-known/acme-challenge/ {
            alias ${nginxValue.path(challenges.path)}/;
            default_type text/plain;
        }
    }
    server {
        listen ${OTHER_SERVER}:${port};
        location / { return 200 "Welcome to someone else's server"; }
    }
    server {
        listen ${REDIRECTING}:${port};
        location / { return 301 https://parked.example/; }
    }
`;
  const confFile = join(prefix.path, 'nginx.conf');
  await mkdir(prefix.path, { recursive: true });
  await writeFile(confFile, renderMainConfig({ prefix: prefix.path, generation: 1, statusPort, http }));
  const nginx = new NginxInstance({ prefix: prefix.path, liveConfFile: confFile });
  await nginx.test(confFile);
  await nginx.start();
  cleanups.push(() => nginx.stop());

  // Accepts connections and never answers: a server that hangs, or a middlebox holding the line.
  const silentSockets = new Set<Socket>();
  const silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(port, SILENT, resolve));
  cleanups.push(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  dns = await startChallengeDns();
  cleanups.push(() => dns.stop());
  await dns.addA('reach.test', [ROUTER]);
  await dns.addA('refused.test', [REFUSING]);
  await dns.addA('other.test', [OTHER_SERVER]);
  await dns.addA('silent.test', [SILENT]);
  await dns.addA('redirect.test', [REDIRECTING]);
  await dns.addA('unknown-host.test', [ROUTER]);
  // A stale IPv6 record where nothing listens, beside a correct IPv4 one.
  await dns.addAaaa('v6.test', ['::1']);
  await dns.addA('v6.test', [ROUTER]);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('reachability pre-flight', () => {
  it('passes for a hostname whose A record leads to this router, and withdraws its token', async () => {
    const published = store.published.length;
    await probe().check('reach.test');
    expect(store.published.length).toBe(published + 1);
    expect(await store.current()).toEqual([]);
  });

  it('accepts the hostname in any spelling a caller sends (upper case, trailing dot)', async () => {
    await probe().check('REACH.test.');
  });

  it('falls back to IPv4 when the IPv6 address cannot be connected to, as Let\u2019s Encrypt does', async () => {
    const before = fetches.length;
    await probe().check('v6.test');
    expect(fetches.slice(before)).toEqual(['::1', ROUTER]);
  });

  it('tells the owner to add a record when the hostname has none', async () => {
    const error = await failure('none.test');
    expect(error.code).toBe('DOMAIN_UNREACHABLE');
    expect(error.message).toBe('none.test has no A or AAAA record: point a CNAME at edge.dais.test or an A record at its address.');
    expect(error.details).toMatchObject({ hostname: 'none.test', reason: 'no-address' });
  });

  it('names the address that refused the connection and the port to open', async () => {
    const error = await failure('refused.test');
    expect(error.message).toBe(
      `refused.test resolves to ${REFUSING}, which refused connections on port ${httpPort}: if that address is this router, open port ${httpPort} in its firewall; otherwise point a CNAME at edge.dais.test or an A record at its address.`,
    );
    expect(await store.current()).toEqual([]);
  });

  it('says when the address belongs to another server', async () => {
    const error = await failure('other.test');
    expect(error.message).toBe(
      `other.test resolves to ${OTHER_SERVER}, but that server is not this router (it answered HTTP 200 instead of the check token): point a CNAME at edge.dais.test or an A record at its address.`,
    );
    expect(error.details).toMatchObject({ reason: 'other-server', status: 200 });
  });

  it('counts a router that does not know the Host as another server (the Host header is sent)', async () => {
    const error = await failure('unknown-host.test');
    expect(error.details).toMatchObject({ reason: 'other-server', status: 404, address: ROUTER });
  });

  it('does not follow a redirect, and says where it pointed', async () => {
    const error = await failure('redirect.test');
    expect(error.message).toContain('(it redirected to https://parked.example/ instead of the check token)');
  });

  it('gives up on a server that never answers within the deadline', async () => {
    const started = Date.now();
    const error = await failure('silent.test');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toBe(
      `silent.test resolves to ${SILENT}, which did not answer on port ${httpPort} in time: a firewall may be dropping the traffic; if that address is not this router, point a CNAME at edge.dais.test or an A record at its address.`,
    );
    expect(await store.current()).toEqual([]);
  });

  it('refuses to probe private addresses in production, publishing nothing', async () => {
    const published = store.published.length;
    const before = fetches.length;
    const error = await failure('reach.test', probe({ allowPrivateAddresses: false }));
    expect(error.message).toBe(
      `reach.test resolves to ${ROUTER}, a private address the certificate authority cannot reach: point a CNAME at edge.dais.test or an A record at its address.`,
    );
    expect(fetches.length).toBe(before);
    expect(store.published.length).toBe(published);
  });

  it('reports a DNS server that cannot be reached as a DNS failure, not a missing record', async () => {
    const [closedPort] = (await freePorts(1)) as [number];
    const error = await failure('reach.test', probe({ dnsServer: `127.0.0.1:${closedPort}` }));
    expect(error.details).toMatchObject({ reason: 'dns-failed' });
    expect(error.message).toMatch(
      /^The DNS lookup of reach\.test failed \(.+\): check that the domain's nameservers are working, then try again\.$/,
    );
  });

  const hostile = [
    'reach.test\r\nHost: evil.test',
    'reach test',
    'reach.test/../../etc',
    '../reach.test',
    'reach..test',
    '*.reach.test',
    'reach.test:80',
    '127.0.0.1',
    '[::1]',
    'user@reach.test',
    'reach.test\0',
    `${'a'.repeat(64)}.test`,
    `${'abcdefgh.'.repeat(29)}test`,
    '',
  ];

  it.each(hostile)('rejects the hostile hostname %j before any DNS query or HTTP request', async (hostname) => {
    const counts = { lookups: lookups.length, fetches: fetches.length, published: store.published.length };
    const error = await failure(hostname);
    expect(error.code).toBe('HOSTNAME_INVALID');
    expect({ lookups: lookups.length, fetches: fetches.length, published: store.published.length }).toEqual(counts);
  });
});
