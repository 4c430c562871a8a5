import type { ErrorCode } from '@dais/shared';

/** Why a custom domain may not be added, in the shape of a coded error with the rule it broke. */
export interface DomainRefusal {
  code: Extract<ErrorCode, 'FORBIDDEN' | 'HOSTNAME_INVALID'>;
  rule: 'wildcard-admin-only' | 'reserved';
  message: string;
}

/** One of the platform's own hostnames, and what it is (for the refusal's message). */
export interface PlatformHostname {
  /** Lowercase ASCII, no final dot. */
  hostname: string;
  /** E.g. "the dashboard's address". */
  what: string;
}

/** Who adds a domain, on which platform. */
export interface DomainContext {
  /** The platform's own hostnames: none of them, nothing under them, and no wildcard covering them may be claimed. */
  reserved: readonly PlatformHostname[];
  isAdmin: boolean;
}

/** `name` is `domain` itself or lies under it. */
function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/**
 * Checks a normalized hostname (lowercase ASCII, see `hostnameSchema`) as a site's custom domain.
 * Wildcards are for admins only; the platform's own hostnames and everything under them belong to
 * the platform, and so does any wildcard that would cover one. Returns null when the domain may be added.
 */
export function checkCustomDomain(hostname: string, context: DomainContext): DomainRefusal | null {
  const wildcard = hostname.startsWith('*.');
  if (wildcard && !context.isAdmin) {
    return { code: 'FORBIDDEN', rule: 'wildcard-admin-only', message: 'Only admins may add wildcard domains (*.example.org).' };
  }
  const base = wildcard ? hostname.slice(2) : hostname;
  const clash = context.reserved.find((platform) => isWithin(base, platform.hostname) || (wildcard && isWithin(platform.hostname, base)));
  if (!clash) return null;
  const how = clash.hostname === base ? 'is' : wildcard && isWithin(clash.hostname, base) ? 'covers' : 'is under';
  return {
    code: 'HOSTNAME_INVALID',
    rule: 'reserved',
    message: `${hostname} is reserved: it ${how} ${clash.hostname}, ${clash.what}. The platform's own hostnames and everything under them cannot be claimed.`,
  };
}
