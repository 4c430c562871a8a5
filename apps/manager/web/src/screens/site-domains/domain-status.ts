import type { DomainView } from '../../api/types';
import type { Tone } from '../../ui/StatusDot';

/** How a domain's routing reads: the dot's tone and its words. */
export function routingStatus(domain: DomainView): { tone: Tone; label: string } {
  switch (domain.status) {
    case 'pending':
      return { tone: 'busy', label: 'Pending' };
    case 'active':
      return { tone: 'ok', label: 'Active' };
    case 'error':
      return { tone: 'bad', label: 'Error' };
  }
}

/** How a domain's HTTPS certificate reads: tone, a short label and what the router last said. */
export interface CertificateSummary {
  tone: Tone;
  label: string;
  detail: string | null;
}

export function certificateSummary(domain: DomainView): CertificateSummary {
  const certificate = domain.certificate;
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

/** Whether something about the domain is still expected to change without anyone asking. */
export function isSettling(domain: DomainView): boolean {
  return domain.status === 'pending' || domain.certificate?.state === 'pending' || domain.certificate?.retryAt != null;
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
