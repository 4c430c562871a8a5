import { getDomain } from 'tldts';

/**
 * The registered domain a hostname counts against in the ACME server's rate limits
 * (`shop.example.co.uk` → `example.co.uk`), from the Public Suffix List, private section
 * included the way Let's Encrypt reads it (`blog.github.io` is its own registered domain).
 * The only importer of `tldts`. Expects a hostname already normalized (lowercase ASCII).
 */
export function registeredDomainOf(hostname: string): string {
  const bare = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  // A public suffix itself (`co.uk`) or a name the list cannot split counts as its own domain.
  return getDomain(bare, { allowPrivateDomains: true, extractHostname: false }) ?? bare;
}
