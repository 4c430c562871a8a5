import type { DomainView } from '@dais/shared';
import type { Domain } from '../generated/prisma/client';

/** The API's view of a custom domain. */
export function toDomainView(domain: Domain): DomainView {
  return {
    id: domain.id,
    hostname: domain.hostname,
    status: domain.status,
    statusMessage: domain.statusMessage,
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
