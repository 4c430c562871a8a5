import { describe, expect, it } from 'vitest';
import { DaisError, isDaisError } from '@dais/shared';
import type { ChallengeStore } from '../certificate-ports';
import type { AddressLookup, ResolvedAddress } from './address-lookup';
import type { ChallengeAnswer, ChallengeRequest } from './challenge-fetch';
import { DisabledReachabilityProbe, HttpReachabilityProbe } from './reachability-probe';

/** A store that keeps what is published, like the real one, and can be told to fail. */
class MemoryStore implements ChallengeStore {
  readonly tokens = new Map<string, string>();
  readonly removed: string[] = [];
  failPut = false;
  failRemove = false;

  put(token: string, content: string): Promise<void> {
    if (this.failPut) return Promise.reject(new DaisError('FILESYSTEM_ERROR', 'disk full'));
    this.tokens.set(token, content);
    return Promise.resolve();
  }

  remove(token: string): Promise<void> {
    this.removed.push(token);
    if (this.failRemove) return Promise.reject(new Error('read-only file system'));
    this.tokens.delete(token);
    return Promise.resolve();
  }
}

type Server = 'router' | 'refused' | 'timeout' | { status: number; body?: string; location?: string };

/** A fake internet: DNS answers from `records`, each address answers as `servers` says ("router" serves the store). */
function setup(records: AddressLookup, servers: Record<string, Server>, allowPrivateAddresses = false) {
  const store = new MemoryStore();
  const requests: ChallengeRequest[] = [];
  const warnings: string[] = [];
  const answer = (input: ChallengeRequest): ChallengeAnswer => {
    const server = servers[input.target.address] ?? 'refused';
    if (server === 'refused') return { kind: 'refused' };
    if (server === 'timeout') return { kind: 'timeout' };
    if (server === 'router') {
      const token = input.path.replace('/.well-known/acme-challenge/', '');
      const content = store.tokens.get(token);
      return content === undefined
        ? { kind: 'answered', status: 404, body: '', location: null }
        : { kind: 'answered', status: 200, body: content, location: null };
    }
    return { kind: 'answered', status: server.status, body: server.body ?? '', location: server.location ?? null };
  };
  const probe = new HttpReachabilityProbe({
    preflight: { dnsServer: null, httpPort: 80, publicHostname: 'edge.example.net', allowPrivateAddresses },
    challenges: store,
    log: { warn: (_details, message) => warnings.push(message) },
    resolver: { lookup: () => Promise.resolve(records) },
    fetcher: {
      fetch: (input) => {
        requests.push(input);
        return Promise.resolve(answer(input));
      },
    },
  });
  return { probe, store, requests, warnings };
}

const found = (...addresses: ResolvedAddress[]): AddressLookup => ({ kind: 'found', addresses });
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

async function rejection(promise: Promise<void>): Promise<DaisError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isDaisError(error)) throw new Error(`expected a DaisError, got ${String(error)}`);
  return error;
}

describe('HttpReachabilityProbe', () => {
  it('passes when the address serves the token it published, sent with the hostname as Host', async () => {
    const { probe, store, requests } = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'router' });
    await probe.check('Shop.Example.org');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ hostname: 'shop.example.org', port: 80, target: v4('203.0.114.10') });
    expect(requests[0]?.path).toMatch(/^\/\.well-known\/acme-challenge\/[A-Za-z0-9_-]{40,}$/);
    expect(store.tokens.size).toBe(0);
  });

  it('takes a wrong answer from IPv6 as final, like the certificate authority (a stale AAAA record)', async () => {
    const { probe, requests } = setup(found(v6('2001:4860::1'), v4('203.0.114.10')), {
      '2001:4860::1': { status: 200, body: 'old hosting' },
      '203.0.114.10': 'router',
    });
    const error = await rejection(probe.check('shop.example.org'));
    expect(error.message).toContain('resolves to 2001:4860::1, but that server is not this router');
    expect(requests.map((r) => r.target.address)).toEqual(['2001:4860::1']);
  });

  it('tries only the first address of each family, IPv6 first', async () => {
    const { probe, requests } = setup(found(v6('2001:4860::1'), v6('2001:4860::2'), v4('203.0.114.10'), v4('203.0.114.11')), {});
    const error = await rejection(probe.check('shop.example.org'));
    expect(requests.map((r) => r.target.address)).toEqual(['2001:4860::1', '203.0.114.10']);
    // The first failure is reported: what the owner most likely has to fix.
    expect(error.details).toMatchObject({ reason: 'refused', address: '2001:4860::1' });
  });

  it('skips private addresses but probes the public ones of a mixed answer', async () => {
    const { probe, requests } = setup(found(v6('fd00::5'), v4('10.0.0.5'), v4('203.0.114.10')), { '203.0.114.10': 'router' });
    await probe.check('shop.example.org');
    expect(requests.map((r) => r.target.address)).toEqual(['203.0.114.10']);
  });

  it.each(['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.1.1', '::1', 'fe80::1', '::ffff:127.0.0.1'])(
    'never sends a request to the private address %s',
    async (address) => {
      const family = address.includes(':') ? 6 : 4;
      const { probe, requests, store } = setup(found({ address, family }), { [address]: 'router' });
      const error = await rejection(probe.check('shop.example.org'));
      expect(error.details).toMatchObject({ reason: 'private-address', address });
      expect(requests).toEqual([]);
      expect(store.removed).toEqual([]);
    },
  );

  it('distinguishes no record from a failing DNS', async () => {
    const none = await rejection(setup({ kind: 'none' }, {}).probe.check('shop.example.org'));
    expect(none.message).toBe('shop.example.org has no A or AAAA record: point a CNAME at edge.example.net or an A record at its address.');
    const failed = await rejection(
      setup({ kind: 'failed', reason: 'the nameservers answered SERVFAIL' }, {}).probe.check('shop.example.org'),
    );
    expect(failed.details).toMatchObject({ reason: 'dns-failed' });
    expect(failed.message).toContain('(the nameservers answered SERVFAIL)');
  });

  it('withdraws the token when the check fails, and when publishing it failed', async () => {
    const failing = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'timeout' });
    await rejection(failing.probe.check('shop.example.org'));
    expect(failing.store.removed).toHaveLength(1);
    expect(failing.store.tokens.size).toBe(0);

    const broken = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'router' });
    broken.store.failPut = true;
    const error = await rejection(broken.probe.check('shop.example.org'));
    expect(error.code).toBe('FILESYSTEM_ERROR');
    expect(broken.store.removed).toHaveLength(1);
  });

  it('keeps the real outcome when withdrawing the token fails, and logs it', async () => {
    const { probe, store, warnings } = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'router' });
    store.failRemove = true;
    await probe.check('shop.example.org');
    expect(warnings).toEqual(['could not withdraw the pre-flight token']);
  });

  it('uses a new random token for each check', async () => {
    const { probe, requests } = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'router' });
    await probe.check('shop.example.org');
    await probe.check('shop.example.org');
    expect(requests[0]?.path).not.toBe(requests[1]?.path);
  });

  it('refuses wildcards: HTTP-01 cannot validate them', async () => {
    const { probe, requests } = setup(found(v4('203.0.114.10')), { '203.0.114.10': 'router' });
    expect((await rejection(probe.check('*.example.org'))).code).toBe('HOSTNAME_INVALID');
    expect(requests).toEqual([]);
  });
});

describe('DisabledReachabilityProbe', () => {
  it('lets valid hostnames through without a request, and still rejects hostile ones', async () => {
    const probe = new DisabledReachabilityProbe();
    await probe.check('shop.example.org');
    expect((await rejection(probe.check('shop.example.org\r\nX: 1'))).code).toBe('HOSTNAME_INVALID');
  });
});
