import type { CertificateState, DomainProof, domainStatusSchema } from '@dais/shared';
import type { z } from 'zod';

/** Where a custom domain stands: claimed, proven and routed, or in error. */
export type DomainStatus = z.output<typeof domainStatusSchema>;

/** A site's custom domain as services see it, with its proof checks and certificate. */
export interface DomainRecord {
  id: number;
  siteId: number;
  hostname: string;
  status: DomainStatus;
  statusMessage: string | null;
  createdAt: Date;
  certificateState: CertificateState | null;
  certificateExpiresAt: Date | null;
  certificateMessage: string | null;
  certificateRetryAt: Date | null;
  verificationToken: string;
  verifiedAt: Date | null;
  verifiedVia: DomainProof | null;
  verifiedBy: string | null;
  claimedHostname: string | null;
  checkedAt: Date | null;
  checkProblem: string | null;
  checkMessage: string | null;
  nextCheckAt: Date | null;
  releaseAt: Date | null;
  lapseAt: Date | null;
}
