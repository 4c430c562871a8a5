import { domainToASCII } from 'node:url';
import { z } from 'zod';
import type { NameRuleViolation } from './site-name';

/** Options for {@link normalizeHostname}. */
export interface HostnameRules {
  /** Allow a leading `*.` label (admins only, later). */
  allowWildcard?: boolean;
  /** Fewest labels accepted; custom domains need 2, the platform's sites domain may be 1. */
  minLabels?: number;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The outcome of {@link normalizeHostname}: the ASCII (punycode) hostname, or the broken rule. */
export type HostnameResult = { ok: true; hostname: string } | ({ ok: false } & NameRuleViolation);

/**
 * Validates a hostname and returns it lowercase and in ASCII (IDN → punycode). Rejects IP
 * literals, ports, whitespace and anything nginx or DNS would read differently than we do.
 */
export function normalizeHostname(input: string, rules: HostnameRules = {}): HostnameResult {
  const fail = (rule: string, message: string): HostnameResult => ({ ok: false, rule, message });
  if (input.length === 0 || input.length > 253) return fail('length', 'Hostname must be 1 to 253 characters long.');
  if (/[\s\0/\\:@[\]]/.test(input)) {
    return fail('charset', 'Hostname must not contain spaces, slashes, colons, "@" or brackets (no ports, paths or IPv6).');
  }
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input;
  const wildcard = trimmed.startsWith('*.');
  if (wildcard && !rules.allowWildcard) return fail('wildcard', 'Wildcard hostnames are not allowed here.');
  const body = wildcard ? trimmed.slice(2) : trimmed;
  if (body.includes('*')) return fail('wildcard', 'A "*" may only appear as the whole first label.');
  const ascii = domainToASCII(body);
  if (ascii === '') return fail('idn', 'Hostname is not a valid internationalised domain name.');
  const labels = ascii.split('.');
  const hostname = (wildcard ? '*.' : '') + ascii;
  if (hostname.length > 253) return fail('length', 'Hostname must be at most 253 characters long once converted to ASCII.');
  if (labels.length < (rules.minLabels ?? 2)) return fail('labels', 'Hostname must have at least two labels, like example.org.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return fail('label-length', 'Each part between dots must be 1 to 63 characters long.');
    if (!LABEL.test(label)) {
      return fail('label-charset', 'Each part between dots may contain only letters, digits and inner hyphens.');
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) {
    return fail('ip-literal', 'IP addresses are not hostnames; use a domain name.');
  }
  return { ok: true, hostname };
}

/** Zod schema for a hostname; output is normalized, failures carry the rule and HOSTNAME_INVALID. */
export function hostnameSchema(rules: HostnameRules = {}) {
  return z.string().transform((value, ctx) => {
    const result = normalizeHostname(value, rules);
    if (result.ok) return result.hostname;
    ctx.addIssue({ code: 'custom', message: result.message, params: { rule: result.rule, code: 'HOSTNAME_INVALID' } });
    return z.NEVER;
  });
}

/** The hostname every site answers on: `<site name>.<sites domain>`. */
export function siteHostname(siteName: string, sitesDomain: string): string {
  return `${siteName}.${sitesDomain}`;
}
