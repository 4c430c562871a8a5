import { randomBytes } from 'node:crypto';
import { DaisError, normalizeHostname } from '@dais/shared';
import type { ChallengeStore, ReachabilityProbe } from '../certificate-ports';
import { DnsAddressResolver, type AddressResolver, type ResolvedAddress } from './address-lookup';
import { isPublicAddress } from './address-scope';
import { HttpChallengeFetcher, type ChallengeAnswer, type ChallengeFetcher } from './challenge-fetch';
import type { PreflightConfig } from './policy-config';
import { UnreachableErrors } from './reachability-messages';

/** What the probe reports to the router's log. */
export interface ProbeLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/** How to build an {@link HttpReachabilityProbe}; `resolver` and `fetcher` are replaced only in unit tests. */
export interface HttpReachabilityProbeOptions {
  preflight: Omit<PreflightConfig, 'enabled'>;
  challenges: ChallengeStore;
  log: ProbeLog;
  /** Deadline of one DNS query (tried twice) and of one HTTP exchange. */
  timeouts?: { dnsMs?: number; httpMs?: number };
  resolver?: AddressResolver;
  fetcher?: ChallengeFetcher;
}

/**
 * Checks, before an order, that a hostname leads to this router the way the certificate
 * authority will see it: DNS from real nameservers, then an HTTP-01 style request to the address
 * found, carrying a random token that only this router publishes. Like Let's Encrypt, it tries the
 * first IPv6 address, falls back to the first IPv4 address only when IPv6 cannot connect, and
 * takes any HTTP answer that is not the token as the answer of another server.
 */
export class HttpReachabilityProbe implements ReachabilityProbe {
  private readonly resolver: AddressResolver;
  private readonly fetcher: ChallengeFetcher;
  private readonly httpTimeoutMs: number;

  constructor(private readonly options: HttpReachabilityProbeOptions) {
    this.resolver =
      options.resolver ?? new DnsAddressResolver({ server: options.preflight.dnsServer, timeoutMs: options.timeouts?.dnsMs ?? 3000 });
    this.fetcher = options.fetcher ?? new HttpChallengeFetcher();
    this.httpTimeoutMs = options.timeouts?.httpMs ?? 5000;
  }

  async check(hostname: string): Promise<void> {
    const name = validHostname(hostname);
    const { preflight } = this.options;
    const errors = new UnreachableErrors({ hostname: name, publicHostname: preflight.publicHostname, port: preflight.httpPort });
    const lookup = await this.resolver.lookup(name);
    if (lookup.kind === 'none') throw errors.noAddress();
    if (lookup.kind === 'failed') throw errors.dnsFailed(lookup.reason);
    const reachable = preflight.allowPrivateAddresses ? lookup.addresses : lookup.addresses.filter((each) => isPublicAddress(each.address));
    const first = lookup.addresses[0];
    if (reachable.length === 0 && first) throw errors.privateAddress(first.address);
    const targets = [reachable.find((each) => each.family === 6), reachable.find((each) => each.family === 4)].filter(
      (each): each is ResolvedAddress => each !== undefined,
    );

    const token = `dais-preflight-${randomBytes(24).toString('base64url')}`;
    const content = randomBytes(32).toString('base64url');
    try {
      await this.options.challenges.put(token, content);
      let firstFailure: { address: string; answer: ChallengeAnswer } | null = null;
      for (const target of targets) {
        const answer = await this.fetcher.fetch({
          target,
          port: preflight.httpPort,
          hostname: name,
          path: `/.well-known/acme-challenge/${token}`,
          timeoutMs: this.httpTimeoutMs,
        });
        if (answer.kind === 'answered' && answer.status === 200 && answer.body === content) return;
        // A server that answers decides the outcome; only a failed connection falls back.
        if (answer.kind === 'answered') throw errors.fromAnswer(target.address, answer);
        firstFailure ??= { address: target.address, answer };
      }
      if (firstFailure) throw errors.fromAnswer(firstFailure.address, firstFailure.answer);
      throw errors.noAddress();
    } finally {
      await this.options.challenges.remove(token).catch((error: unknown) => {
        // A leftover token is harmless (random, not a secret); failing the check for it is not.
        this.options.log.warn({ hostname: name, error: String(error) }, 'could not withdraw the pre-flight token');
      });
    }
  }
}

/** A probe for when the pre-flight is switched off: hostnames are still validated, nothing is sent. */
export class DisabledReachabilityProbe implements ReachabilityProbe {
  check(hostname: string): Promise<void> {
    return Promise.resolve().then(() => {
      validHostname(hostname);
    });
  }
}

/** Hostnames are checked before any DNS query or HTTP request (never trust the caller). */
function validHostname(hostname: string): string {
  const result = normalizeHostname(hostname);
  if (!result.ok) throw new DaisError('HOSTNAME_INVALID', result.message, { rule: result.rule });
  return result.hostname;
}
