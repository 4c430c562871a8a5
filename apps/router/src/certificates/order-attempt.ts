import { AcmeOrderError, type CertificateAuthority, type IssuedCertificate } from './certificate-authority';
import type { IssuanceBudget, ReachabilityProbe } from './certificate-ports';
import type { StoredCertificate } from './certificate-store';
import { renewalDue } from './policy/retry-schedule';
import { sameHostnames } from './site-certificate';

/** What one attempt to order a site's certificate came to. `hostnameErrors`: names left out because they do not reach this router. */
export type OrderOutcome =
  | { kind: 'deferred'; reason: string; retryAt: Date; hostnameErrors: Map<string, string> }
  | { kind: 'failed'; reason: string; hostnameErrors: Map<string, string> }
  | { kind: 'issued'; certificate: IssuedCertificate; hostnameErrors: Map<string, string> };

/** Everything one attempt consults. */
export interface OrderAttemptInput {
  hostnames: readonly string[];
  /** The certificate serving now, if any (an attempt that would only re-issue it is skipped). */
  served: StoredCertificate | null;
  renewDays: number;
  authority: CertificateAuthority;
  budget: IssuanceBudget;
  probe: ReachabilityProbe;
  now(): Date;
}

/**
 * One attempt, in the order that protects the ACME account: the budget first (a deferral is
 * not a failure), then the reachability pre-flight per hostname (names that fail it are left
 * out, so one bad domain does not hold back the site's others), then the order itself. Failed
 * validations and issuances are reported to the budget.
 */
export async function attemptOrder(input: OrderAttemptInput): Promise<OrderOutcome> {
  const decision = input.budget.check(input.hostnames, input.now());
  if (!decision.allowed) return { kind: 'deferred', reason: decision.reason, retryAt: decision.retryAt, hostnameErrors: new Map() };
  const hostnameErrors = new Map<string, string>();
  for (const hostname of input.hostnames) {
    await input.probe.check(hostname).catch((error: unknown) => hostnameErrors.set(hostname, messageOf(error)));
  }
  const reachable = input.hostnames.filter((hostname) => !hostnameErrors.has(hostname));
  if (reachable.length === 0 || servesAlready(input, reachable)) {
    return { kind: 'failed', reason: [...hostnameErrors.values()].join(' '), hostnameErrors };
  }
  try {
    // Counted before the order is sent: one that fails on the way still may have reached the server.
    await input.budget.recordOrderCreated(input.now());
    const certificate = await input.authority.issue(reachable);
    await input.budget.recordIssued(reachable, input.now());
    return { kind: 'issued', certificate, hostnameErrors };
  } catch (error) {
    const failed = error instanceof AcmeOrderError ? error.failedHostnames : [];
    for (const hostname of failed) await input.budget.recordFailedValidation(hostname, input.now());
    return { kind: 'failed', reason: messageOf(error), hostnameErrors };
  }
}

/** The served certificate already covers exactly these names and is not due: only unreachable names are missing. */
function servesAlready(input: OrderAttemptInput, hostnames: readonly string[]): boolean {
  const served = input.served;
  return served !== null && sameHostnames(served.hostnames, hostnames) && !renewalDue(served.notAfter, input.now(), input.renewDays);
}

/** An error's message, for statuses and logs. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
