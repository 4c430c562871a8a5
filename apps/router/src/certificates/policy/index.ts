import type { ChallengeStore, ReachabilityProbe } from '../certificate-ports';
import { FileIssuanceBudget, type BudgetLog } from './issuance-budget';
import type { AcmePolicyConfig } from './policy-config';
import { DisabledReachabilityProbe, HttpReachabilityProbe } from './reachability-probe';

export { FileIssuanceBudget } from './issuance-budget';
export { DisabledReachabilityProbe, HttpReachabilityProbe } from './reachability-probe';
export { nextRetryAt, renewalDue, renewalStartsAt, type RetryBackoff } from './retry-schedule';
export { DEFAULT_BUDGET_LIMITS, type AcmePolicyConfig, type BudgetLimits, type PreflightConfig } from './policy-config';

/** The safety policies around ACME orders, ready to use. */
export interface CertificatePolicies {
  budget: FileIssuanceBudget;
  probe: ReachabilityProbe;
}

/**
 * Opens the issuance budget (reading its saved counts) and builds the reachability pre-flight
 * from the router's configuration; the issuer supplies the challenge store the probe publishes in.
 */
export async function createCertificatePolicies(input: {
  config: AcmePolicyConfig;
  challenges: ChallengeStore;
  log: BudgetLog;
}): Promise<CertificatePolicies> {
  const budget = await FileIssuanceBudget.open({ file: input.config.budgetFile, limits: input.config.limits, log: input.log });
  const probe = input.config.preflight.enabled
    ? new HttpReachabilityProbe({ preflight: input.config.preflight, challenges: input.challenges, log: input.log })
    : new DisabledReachabilityProbe();
  return { budget, probe };
}
