import { Resolver } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';

/** What asking the DNS for a name's TXT records found. */
export type TxtLookup =
  /** Each record's strings joined, as RFC 7208 reads a TXT record. */
  | { kind: 'records'; values: string[] }
  /** NXDOMAIN: the name does not exist. */
  | { kind: 'no-domain' }
  /** The name exists (or is an alias) but has no TXT record. */
  | { kind: 'no-record' }
  | { kind: 'timeout' }
  /** SERVFAIL, REFUSED, a malformed answer…: `code` is c-ares's. */
  | { kind: 'failed'; code: string };

/** Reads TXT records; the domain checks see only this. */
export interface TxtReader {
  read(name: string): Promise<TxtLookup>;
}

/** Injection token for {@link TxtReader}. */
export const TXT_READER = Symbol('TXT_READER');

/** Lookups at once in this process; more wait for a slot (their deadline keeps running). */
const MAX_CONCURRENT = 32;

const NO_DOMAIN = new Set(['ENOTFOUND']);
const NO_RECORD = new Set(['ENODATA']);
const TIMEOUT = new Set(['ETIMEOUT', 'ECANCELLED']);

/**
 * The DNS adapter: the only code that asks nameservers (node:dns, c-ares: asynchronous, never the
 * blocking getaddrinfo pool). Each lookup gets its own Resolver so a deadline can cancel exactly
 * its queries; whatever the nameservers do (never answer, answer 64 KB over TCP, loop CNAMEs),
 * a lookup ends within `dnsTimeoutMs` with one of the {@link TxtLookup} outcomes.
 */
@Injectable()
export class DnsTxtReader implements TxtReader {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  async read(name: string): Promise<TxtLookup> {
    const { dnsServers, dnsTimeoutMs } = this.config.domains;
    // Two tries per server within the deadline; c-ares falls back to TCP for truncated answers by itself.
    const resolver = new Resolver({ timeout: Math.max(100, Math.floor(dnsTimeoutMs / 3)), tries: 2 });
    if (dnsServers.length > 0) resolver.setServers([...dnsServers]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<TxtLookup>((resolve) => {
      timer = setTimeout(() => {
        resolver.cancel();
        resolve({ kind: 'timeout' });
      }, dnsTimeoutMs);
    });
    try {
      return await Promise.race([this.withSlot(() => lookup(resolver, name)), deadline]);
    } finally {
      clearTimeout(timer);
      resolver.cancel();
    }
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= MAX_CONCURRENT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

async function lookup(resolver: Resolver, name: string): Promise<TxtLookup> {
  try {
    const records = await resolver.resolveTxt(name);
    return { kind: 'records', values: records.map((strings) => strings.join('')) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (NO_DOMAIN.has(code)) return { kind: 'no-domain' };
    if (NO_RECORD.has(code)) return { kind: 'no-record' };
    if (TIMEOUT.has(code)) return { kind: 'timeout' };
    return { kind: 'failed', code };
  }
}
