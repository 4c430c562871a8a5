import type { DomainView } from '../../api/types';
import type { Tone } from '../../ui/StatusDot';
import { timeAgo } from '../../ui/format';

/** How a domain's routing reads: the dot's tone and its words. */
export function routingStatus(domain: DomainView): { tone: Tone; label: string } {
  switch (domain.status) {
    case 'unverified':
      return { tone: 'off', label: 'Unverified' };
    case 'pending':
      return { tone: 'busy', label: 'Pending' };
    case 'active':
      return { tone: 'ok', label: 'Active' };
    case 'error':
      return { tone: 'bad', label: 'Error' };
  }
}

/** How control of a verified domain was proven, in words; null while it is unverified. */
export function verificationSummary(domain: DomainView): string | null {
  const verification = domain.verification;
  switch (verification.method) {
    case 'dns':
      return `Verified by its DNS record${verification.verifiedAt ? ` on ${formatDate(verification.verifiedAt)}` : ''}.`;
    case 'admin':
      return `Verified by hand by ${verification.verifiedBy ?? 'an admin'}.`;
    case 'migrated':
      return 'Verified: it was served before proofs of control existed.';
    case null:
      return null;
  }
}

/** Whether the page should show the record to publish and the check buttons. */
export function needsProof(domain: DomainView): boolean {
  return domain.status === 'unverified' || domain.verification.lapseAt !== null;
}

/** When the platform looks next and what happens at the deadline, in one line. */
export function proofTimes(domain: DomainView, now = Date.now()): string {
  const { checkedAt, nextCheckAt, releaseAt, message } = domain.verification;
  const parts: string[] = [checkedAt ? `Last checked ${timeAgo(checkedAt, now)}.` : 'Not checked yet.'];
  if (nextCheckAt) {
    const seconds = Math.max(0, Math.round((Date.parse(nextCheckAt) - now) / 1_000));
    parts.push(
      seconds < 90 ? `Checked again by itself within ${Math.max(seconds, 1)} s.` : `Checked again by itself at ${formatTime(nextCheckAt)}.`,
    );
  }
  // Once checked, the check's own message says when the claim is released.
  if (domain.status === 'unverified' && releaseAt && !message)
    parts.push(`Released (removed) on ${formatTime(releaseAt)} unless verified.`);
  return parts.join(' ');
}

/** How a domain's HTTPS certificate reads: tone, a short label and what the router last said. */
export interface CertificateSummary {
  tone: Tone;
  label: string;
  detail: string | null;
}

export function certificateSummary(domain: DomainView): CertificateSummary {
  const certificate = domain.certificate;
  if (domain.status === 'unverified') return { tone: 'off', label: 'None yet', detail: 'Ordered once the domain is verified and routed.' };
  if (!certificate) {
    const why = domain.hostname.startsWith('*.') ? 'Wildcard domains get no certificate; served over HTTP.' : 'Served over HTTP for now.';
    return { tone: 'off', label: 'None yet', detail: why };
  }
  const retry = certificate.retryAt ? `Next try ${formatTime(certificate.retryAt)}.` : null;
  switch (certificate.state) {
    case 'pending':
      return { tone: 'busy', label: 'Pending', detail: joined(certificate.message, retry) };
    case 'active':
      return {
        tone: 'ok',
        label: certificate.expiresAt ? `Active, expires ${formatDate(certificate.expiresAt)}` : 'Active',
        detail: joined(certificate.message, retry),
      };
    case 'error':
      return { tone: 'bad', label: 'Error', detail: joined(certificate.message, retry) };
  }
}

/** Whether something about the domain is still expected to change without anyone asking (a check may verify it). */
export function isSettling(domain: DomainView): boolean {
  return (
    needsProof(domain) || domain.status === 'pending' || domain.certificate?.state === 'pending' || domain.certificate?.retryAt != null
  );
}

function joined(...parts: (string | null)[]): string | null {
  const present = parts.filter((part): part is string => Boolean(part));
  return present.length > 0 ? present.join(' ') : null;
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
