import { isIP } from 'node:net';
import { envField, normalizeHostname } from '@dais/shared';
import { z } from 'zod';

const DAY_MS = 24 * 3_600_000;

/** `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`, `[2001:db8::53]:5353`: what node:dns accepts as a server. */
function isDnsServer(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(value);
  const [address, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : withPort ? [withPort[1] ?? '', withPort[2]] : [value, undefined];
  if (isIP(address) === 0) return false;
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** Environment keys of custom-domain proofs (docs/domains.md); merged into the manager's schema. */
export const domainChecksEnv = {
  /** Nameservers asked for `_dais-challenge` TXT records; empty: the system's (/etc/resolv.conf). */
  DAIS_DOMAIN_DNS_SERVERS: envField
    .commaList()
    .pipe(z.array(z.string().refine(isDnsServer, 'must be IP addresses with an optional port (192.0.2.53:53, [2001:db8::1]:53)')))
    .default([]),
  /** The longest one look at a record may take, every retry included. */
  DAIS_DOMAIN_DNS_TIMEOUT_MS: envField.positiveInt().max(60_000, 'must be at most 60000').default(5_000),
  /** How often an unverified domain is looked at while it is young (the interval grows with its age). */
  DAIS_DOMAIN_CHECK_INTERVAL_MS: envField.positiveInt().default(30_000),
  DAIS_DOMAIN_CHECK_MAX_INTERVAL_MS: envField.positiveInt().default(15 * 60_000),
  /** How often a domain verified by its record is looked at again. */
  DAIS_DOMAIN_RECHECK_INTERVAL_MS: envField.positiveInt().default(6 * 3_600_000),
  /** An unverified claim is released after this many days. */
  DAIS_DOMAIN_RELEASE_DAYS: envField.positiveInt().default(7),
  /** A verified domain whose record has gone stays routed this many days before it becomes unverified. */
  DAIS_DOMAIN_PROOF_GRACE_DAYS: envField.positiveInt().default(7),
  /** More of the platform's own hostnames no site may claim (each with everything under it). */
  DAIS_RESERVED_HOSTNAMES: envField
    .commaList()
    .pipe(z.array(z.string().refine((name) => normalizeHostname(name, { minLabels: 1 }).ok, 'must be hostnames, comma-separated')))
    .default([]),
};

type DomainChecksEnv = { [K in keyof typeof domainChecksEnv]: z.output<(typeof domainChecksEnv)[K]> };

/** How the manager checks that site owners control their custom domains. */
export interface DomainChecksConfig {
  dnsServers: readonly string[];
  dnsTimeoutMs: number;
  checkIntervalMs: number;
  maxCheckIntervalMs: number;
  recheckIntervalMs: number;
  releaseMs: number;
  proofGraceMs: number;
  /** Extra platform hostnames, normalized (lowercase ASCII). */
  reservedHostnames: readonly string[];
}

/** The typed settings from the parsed environment. */
export function domainChecksConfig(env: DomainChecksEnv): DomainChecksConfig {
  return {
    dnsServers: env.DAIS_DOMAIN_DNS_SERVERS,
    dnsTimeoutMs: env.DAIS_DOMAIN_DNS_TIMEOUT_MS,
    checkIntervalMs: env.DAIS_DOMAIN_CHECK_INTERVAL_MS,
    maxCheckIntervalMs: Math.max(env.DAIS_DOMAIN_CHECK_MAX_INTERVAL_MS, env.DAIS_DOMAIN_CHECK_INTERVAL_MS),
    recheckIntervalMs: env.DAIS_DOMAIN_RECHECK_INTERVAL_MS,
    releaseMs: env.DAIS_DOMAIN_RELEASE_DAYS * DAY_MS,
    proofGraceMs: env.DAIS_DOMAIN_PROOF_GRACE_DAYS * DAY_MS,
    reservedHostnames: env.DAIS_RESERVED_HOSTNAMES.map((name) => {
      const normalized = normalizeHostname(name, { minLabels: 1 });
      return normalized.ok ? normalized.hostname : name;
    }),
  };
}
