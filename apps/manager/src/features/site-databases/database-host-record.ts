import type { DatabaseHost } from '../../generated/prisma/client';
import { hostPasswordPlace, SealedSecret } from '../../infrastructure/secrets/sealed-secret';

/** A database host as the manager sees it: its admin password sealed. */
export type DatabaseHostRecord = Omit<DatabaseHost, 'adminPassword'> & { adminPassword: SealedSecret };

/** A host row with its admin password wrapped for the SecretBox. */
export function toHostRecord(row: DatabaseHost): DatabaseHostRecord {
  return { ...row, adminPassword: new SealedSecret(row.adminPassword, hostPasswordPlace(row.id)) };
}
