import type { CertificateState, CertificateStatus } from '@dais/shared';

/** A domain's certificate columns as the manager stores them. */
export interface StoredCertificate {
  certificateState: CertificateState | null;
  certificateExpiresAt: Date | null;
  certificateMessage: string | null;
  certificateRetryAt: Date | null;
}

/** What the sync needs to know about one custom domain. */
export interface DomainCertificateRow extends StoredCertificate {
  id: number;
  siteId: number;
  hostname: string;
  /** `active` once the site's routes at the router include the domain. */
  status: 'unverified' | 'pending' | 'active' | 'error';
}

/** One domain whose stored certificate differs from what the router reports. */
export interface CertificateUpdate {
  domainId: number;
  siteId: number;
  data: StoredCertificate;
}

const NONE: StoredCertificate = { certificateState: null, certificateExpiresAt: null, certificateMessage: null, certificateRetryAt: null };

/**
 * Compares the manager's domains with the router's certificate list and returns the rows to
 * change. A domain the router does not list keeps its state until it is routed (the router has
 * not heard of it yet); once routed and still unlisted, it gets no certificate (a wildcard, or a
 * router that does not issue them).
 */
export function planCertificateUpdates(
  domains: readonly DomainCertificateRow[],
  reported: readonly CertificateStatus[],
): CertificateUpdate[] {
  const bySiteAndHost = new Map(reported.map((status) => [`${status.siteId} ${status.hostname}`, status]));
  const updates: CertificateUpdate[] = [];
  for (const domain of domains) {
    const status = bySiteAndHost.get(`${domain.siteId} ${domain.hostname}`);
    if (!status && domain.status !== 'active') continue;
    const wanted = status ? fromStatus(status) : NONE;
    if (!sameCertificate(domain, wanted)) updates.push({ domainId: domain.id, siteId: domain.siteId, data: wanted });
  }
  return updates;
}

function fromStatus(status: CertificateStatus): StoredCertificate {
  return {
    certificateState: status.state,
    certificateExpiresAt: status.expiresAt === null ? null : new Date(status.expiresAt),
    certificateMessage: status.message,
    certificateRetryAt: status.retryAt === null ? null : new Date(status.retryAt),
  };
}

function sameCertificate(a: StoredCertificate, b: StoredCertificate): boolean {
  return (
    a.certificateState === b.certificateState &&
    a.certificateMessage === b.certificateMessage &&
    a.certificateExpiresAt?.getTime() === b.certificateExpiresAt?.getTime() &&
    a.certificateRetryAt?.getTime() === b.certificateRetryAt?.getTime()
  );
}
