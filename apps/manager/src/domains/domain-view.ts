import type { DomainView } from '@dais/shared';
import type { Domain } from '../generated/prisma/client';

/** The API's view of a custom domain. */
export function toDomainView(domain: Domain): DomainView {
  return {
    id: domain.id,
    hostname: domain.hostname,
    status: domain.status,
    statusMessage: domain.statusMessage,
    createdAt: domain.createdAt.toISOString(),
  };
}
