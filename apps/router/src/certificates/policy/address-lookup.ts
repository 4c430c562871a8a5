import { promises as dns } from 'node:dns';

/** One address a hostname resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** What DNS said about a hostname. */
export type AddressLookup =
  | { kind: 'found'; addresses: ResolvedAddress[] }
  /** The name does not exist, or has neither A nor AAAA records. */
  | { kind: 'none' }
  /** DNS itself failed (timeout, SERVFAIL, refused): nothing is known about the records. */
  | { kind: 'failed'; reason: string };

/** Looks up a hostname's A and AAAA records. */
export interface AddressResolver {
  lookup(hostname: string): Promise<AddressLookup>;
}

/** Codes that mean "asked and answered: there is no such record". */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

const FAILURES = new Map([
  ['ETIMEOUT', 'no answer from the nameservers in time'],
  ['ESERVFAIL', 'the nameservers answered SERVFAIL'],
  ['EREFUSED', 'the nameservers refused the query'],
  ['ECONNREFUSED', 'the DNS server could not be contacted'],
]);

/**
 * Asks DNS the way a certificate authority does: A and AAAA queries to real nameservers (not
 * /etc/hosts, which the CA never sees), through `server` when given (e.g. a test DNS server),
 * else the system's configured nameservers.
 */
export class DnsAddressResolver implements AddressResolver {
  private readonly resolver: dns.Resolver;

  constructor(options: { server: string | null; timeoutMs: number; tries?: number }) {
    this.resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries ?? 2 });
    if (options.server !== null) this.resolver.setServers([options.server]);
  }

  async lookup(hostname: string): Promise<AddressLookup> {
    const [v6, v4] = await Promise.all([settle(this.resolver.resolve6(hostname)), settle(this.resolver.resolve4(hostname))]);
    // Certificate authorities try IPv6 first (Let's Encrypt falls back to IPv4 when it cannot connect).
    const addresses: ResolvedAddress[] = [
      ...(v6.ok ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
      ...(v4.ok ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
    ];
    if (addresses.length > 0) return { kind: 'found', addresses };
    const failure = [v6, v4].find((result) => !result.ok && !NO_RECORD.has(result.code));
    if (failure && !failure.ok) return { kind: 'failed', reason: FAILURES.get(failure.code) ?? `DNS error ${failure.code}` };
    return { kind: 'none' };
  }
}

type Settled = { ok: true; value: string[] } | { ok: false; code: string };

async function settle(query: Promise<string[]>): Promise<Settled> {
  try {
    return { ok: true, value: await query };
  } catch (error) {
    return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN' };
  }
}
