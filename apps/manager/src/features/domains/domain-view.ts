import type { DomainCheckProblem, DomainView } from '@dais/shared';
import type { DomainRecord } from './domain';
import { challengeRecordName } from './proof-judgement';

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** The API's view of a custom domain, with the record that proves control and where its checks stand. */
export function toDomainView(domain: DomainRecord): DomainView {
  const recordName = challengeRecordName(domain.hostname);
  return {
    id: domain.id,
    hostname: domain.hostname,
    status: domain.status,
    statusMessage: domain.statusMessage,
    verification: {
      record: recordName === null ? null : { type: 'TXT', name: recordName, value: domain.verificationToken },
      verifiedAt: iso(domain.verifiedAt),
      method: domain.verifiedVia,
      verifiedBy: domain.verifiedBy,
      checkedAt: iso(domain.checkedAt),
      nextCheckAt: iso(domain.nextCheckAt),
      problem: domain.checkProblem as DomainCheckProblem | null,
      message: domain.checkMessage,
      releaseAt: iso(domain.releaseAt),
      lapseAt: iso(domain.lapseAt),
    },
    certificate:
      domain.certificateState === null
        ? null
        : {
            state: domain.certificateState,
            expiresAt: domain.certificateExpiresAt?.toISOString() ?? null,
            message: domain.certificateMessage,
            retryAt: domain.certificateRetryAt?.toISOString() ?? null,
          },
    createdAt: domain.createdAt.toISOString(),
  };
}
