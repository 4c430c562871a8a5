import type { Prisma } from '../../generated/prisma/client';
import type { OperationKind, SiteType } from '../../generated/prisma/enums';
import { stepRowsFor } from './operation-catalogue';
import type { OperationWithSteps } from './operation-view';

/** Steps in order, whenever an operation is read. */
export const WITH_STEPS = { steps: { orderBy: { position: 'asc' } } } as const;

/** What an operation row needs to know of its site. */
export interface OperationSite {
  id: number;
  name: string;
  type: SiteType;
  hasDatabase: boolean;
}

/**
 * Writes an operation and its ordered steps inside the caller's transaction (next to the change it
 * carries out). `requestedById` is null for the platform's own work (e.g. a domain check that found its proof).
 */
export function createOperationRow(
  tx: Prisma.TransactionClient,
  site: OperationSite,
  kind: OperationKind,
  requestedById: number | null,
): Promise<OperationWithSteps> {
  return tx.operation.create({
    data: { siteId: site.id, siteName: site.name, kind, requestedById, steps: { create: stepRowsFor(kind, site) } },
    include: WITH_STEPS,
  });
}
