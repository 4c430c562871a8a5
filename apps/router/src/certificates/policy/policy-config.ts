import { isIP } from 'node:net';

/** Limits of the issuance budget: the most Dais does within each sliding window. */
export interface BudgetLimits {
  /** Certificates per registered domain per 7 days (Let's Encrypt: 50). */
  certificatesPerDomainWeek: number;
  /** Certificates for the exact same set of hostnames per 7 days (Let's Encrypt: 5). */
  duplicateCertificatesWeek: number;
  /** Failed validations per hostname per hour (Let's Encrypt: 5). */
  failedValidationsPerHour: number;
  /** New orders per ACME account per 3 hours (Let's Encrypt: 300). */
  ordersPer3Hours: number;
}

/** Defaults a margin under Let's Encrypt's published limits, so a count that is off by a few stays safe. */
export const DEFAULT_BUDGET_LIMITS: Readonly<BudgetLimits> = Object.freeze({
  certificatesPerDomainWeek: 40,
  duplicateCertificatesWeek: 4,
  failedValidationsPerHour: 4,
  ordersPer3Hours: 250,
});

/** What the reachability pre-flight needs to know. */
export interface PreflightConfig {
  /** Off: every hostname is assumed reachable (e.g. DNS is not public yet and the admin knows). */
  enabled: boolean;
  /** DNS server to ask (`ip` or `ip:port`, `[v6]:port`); null: the system's resolvers. */
  dnsServer: string | null;
  /** The port the ACME server connects to for HTTP-01 (80 in production). */
  httpPort: number;
  /** What owners are told to point their CNAME at; null: a generic "this router's hostname". */
  publicHostname: string | null;
  /** Probe loopback/private addresses too (test setups with Pebble); never in production. */
  allowPrivateAddresses: boolean;
}

/** Safety around ACME orders: the issuance budget and the reachability pre-flight. */
export interface AcmePolicyConfig {
  limits: BudgetLimits;
  /** JSON file the budget's counts are kept in across restarts. */
  budgetFile: string;
  preflight: PreflightConfig;
}

/** A DNS server as `dns.Resolver#setServers` takes it: `ip`, `ipv4:port` or `[ipv6]:port`. */
export function isDnsServerAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]+)\]):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  return isIP(host) !== 0 && port >= 1 && port <= 65535;
}
