import type { ErrorCode } from '@dais/shared';

/** Why a custom domain may not be added, in the shape of a coded error with the rule it broke. */
export interface DomainRefusal {
  code: Extract<ErrorCode, 'FORBIDDEN' | 'HOSTNAME_INVALID'>;
  rule: 'wildcard-admin-only' | 'reserved';
  message: string;
}

/** Who adds a domain, on which platform. */
export interface DomainContext {
  /** The platform's sites domain (`<name>.<this>` is every site's own hostname). */
  sitesDomain: string;
  isAdmin: boolean;
}

/** `name` is `domain` itself or lies under it. */
function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/**
 * Checks a normalized hostname (lowercase ASCII, see `hostnameSchema`) as a site's custom domain.
 * Wildcards are for admins only; the sites domain and everything under it belong to the platform,
 * and so does any wildcard that would cover them. Returns null when the domain may be added.
 */
export function checkCustomDomain(hostname: string, context: DomainContext): DomainRefusal | null {
  const wildcard = hostname.startsWith('*.');
  if (wildcard && !context.isAdmin) {
    return { code: 'FORBIDDEN', rule: 'wildcard-admin-only', message: 'Only admins may add wildcard domains (*.example.org).' };
  }
  const base = wildcard ? hostname.slice(2) : hostname;
  const sitesDomain = context.sitesDomain.toLowerCase().replace(/\.$/, '');
  if (isWithin(base, sitesDomain) || (wildcard && isWithin(sitesDomain, base))) {
    return {
      code: 'HOSTNAME_INVALID',
      rule: 'reserved',
      message: `${hostname} is reserved: ${sitesDomain} and its subdomains are the platform's own (every site already answers on <name>.${sitesDomain}).`,
    };
  }
  return null;
}
