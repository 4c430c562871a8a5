import type { CertificateStatus } from '@dais/shared';
import type { StoredCertificate } from './certificate-store';

/** Where a site's next certificate order stands. */
export type OrderPhase =
  | { kind: 'idle' }
  | { kind: 'queued' }
  | { kind: 'ordering' }
  /** The issuance budget said wait; not a failure. */
  | { kind: 'deferred'; reason: string; retryAt: Date }
  | { kind: 'failed'; reason: string; retryAt: Date }
  /** ACME is turned off on this router: nothing will be ordered. */
  | { kind: 'disabled' };

/** What the router knows about one site's certificate. */
export interface SiteCertificate {
  siteId: number;
  /** Hostnames the site's route wants covered, sorted; empty: none. */
  wanted: string[];
  /** The checked certificate on disk, if any: what the next nginx apply serves. */
  served: StoredCertificate | null;
  /** The certificate nginx is known to serve (set once the apply naming it succeeded); statuses report this one. */
  live: StoredCertificate | null;
  /** Why the stored files could not be used (found at startup), until a new certificate replaces them. */
  broken: string | null;
  phase: OrderPhase;
  /** Consecutive failed attempts, for backoff. */
  failures: number;
  /** Hostnames the last attempt could not include (reachability pre-flight), with why. */
  hostnameErrors: Map<string, string>;
  updatedAt: Date;
  retryTimer?: NodeJS.Timeout;
}

const MAX_MESSAGE = 500;

/** The status of each wanted hostname of a site, as `GET /v1/certificates` reports it. */
export function statusesOf(site: SiteCertificate, now: Date): CertificateStatus[] {
  return site.wanted.map((hostname) => statusOf(site, hostname, now));
}

function statusOf(site: SiteCertificate, hostname: string, now: Date): CertificateStatus {
  const { phase } = site;
  const retryAt = phase.kind === 'deferred' || phase.kind === 'failed' ? phase.retryAt.toISOString() : null;
  const base = { siteId: site.siteId, hostname, retryAt, updatedAt: site.updatedAt.toISOString() };
  const served = site.live;
  if (served && served.hostnames.includes(hostname) && served.notAfter > now) {
    const expiresAt = served.notAfter.toISOString();
    const trouble = site.hostnameErrors.get(hostname) ?? (phase.kind === 'failed' || phase.kind === 'deferred' ? phase.reason : null);
    const message =
      trouble === null ? null : `Renewal has not succeeded yet: ${trouble} The current certificate stays in use until ${expiresAt}.`;
    return { ...base, state: 'active', expiresAt, message: bounded(message) };
  }
  const expiresAt = null;
  const hostnameError = site.hostnameErrors.get(hostname);
  if (hostnameError !== undefined) return { ...base, state: 'error', expiresAt, message: bounded(hostnameError) };
  const prefix = site.broken === null ? '' : `The stored certificate is unusable (${site.broken}). `;
  switch (phase.kind) {
    case 'failed':
      return { ...base, state: 'error', expiresAt, message: bounded(prefix + phase.reason) };
    case 'deferred':
      return { ...base, state: 'pending', expiresAt, message: bounded(prefix + phase.reason) };
    case 'disabled':
      return { ...base, state: 'pending', expiresAt, message: bounded(`${prefix}Certificate ordering is turned off on this router.`) };
    case 'ordering':
      return { ...base, state: 'pending', expiresAt, message: bounded(`${prefix}Ordering a certificate.`) };
    case 'queued':
    case 'idle':
      return { ...base, state: 'pending', expiresAt, message: bounded(`${prefix}Waiting for its turn to be ordered.`) };
  }
}

function bounded(message: string | null): string | null {
  if (message === null) return null;
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/** Same hostnames, ignoring order. */
export function sameHostnames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((hostname) => set.has(hostname));
}
