import type { CertificateStatus, CertificateList, DomainView, OperationView } from '@dais/shared';
import type { BindDns } from './bind-dns';
import { signedFetch } from './signed-fetch';
import type { TestStack } from './stack';

/** What adding, checking or verifying a domain answers. */
export interface DomainChange {
  domain: DomainView;
  operation: OperationView | null;
}

/** Claims a hostname for a site (201, unverified, nothing routed), as `token`'s owner (the admin by default). */
export async function claimDomain(stack: TestStack, siteId: number, hostname: string, token?: string): Promise<DomainView> {
  const added = await stack.api<DomainChange>('POST', `/api/sites/${siteId}/domains`, { hostname }, token);
  if (added.status !== 201) throw new Error(`adding ${hostname}: ${added.status} ${JSON.stringify(added.json)}`);
  return added.json.domain;
}

/** An admin marks a domain verified by hand; answers the domain and the operation that routes it. */
export async function verifyDomain(
  stack: TestStack,
  siteId: number,
  domainId: number,
): Promise<{ domain: DomainView; operation: OperationView }> {
  const verified = await stack.api<DomainChange>('POST', `/api/sites/${siteId}/domains/${domainId}/verify`);
  if (verified.status !== 200 || !verified.json.operation) {
    throw new Error(`verifying domain ${domainId}: ${verified.status} ${JSON.stringify(verified.json)}`);
  }
  return { domain: verified.json.domain, operation: verified.json.operation };
}

/**
 * Adds a custom domain and has the admin verify it, so it is routed at once: for tests about
 * routing and certificates rather than proofs of control (test/security/domain-claims.test.ts
 * covers those). Answers like adding a domain did before proofs: the domain and its operation.
 */
export async function addVerifiedDomain(
  stack: TestStack,
  siteId: number,
  hostname: string,
  token?: string,
): Promise<{ domain: DomainView; operation: OperationView }> {
  const claimed = await claimDomain(stack, siteId, hostname, token);
  return verifyDomain(stack, siteId, claimed.id);
}

/** A site's domain as the API shows it now, or undefined. */
export async function domainOf(stack: TestStack, siteId: number, hostname: string): Promise<DomainView | undefined> {
  const answer = await stack.api<{ domains: DomainView[] }>('GET', `/api/sites/${siteId}/domains`);
  return answer.json.domains.find((domain) => domain.hostname === hostname);
}

/** Publishes the TXT record that proves control of a domain, as its owner would at their DNS provider. */
export function publishProof(dns: BindDns, domain: DomainView): Promise<void> {
  const record = domain.verification.record;
  if (!record) throw new Error(`${domain.hostname} has no record to publish`);
  return dns.publishTxt(record.name, [record.value]);
}

/** Every certificate the router holds or wants, as it tells the manager. */
export async function routerCertificates(stack: TestStack): Promise<CertificateStatus[]> {
  const answer = await signedFetch(`http://127.0.0.1:${stack.ports.router}`, stack.signer('manager', 'router'), 'GET', '/v1/certificates');
  return (answer.json as CertificateList).certificates;
}
