import type { databaseEngineSchema } from '@dais/shared';
import type { z } from 'zod';
import { hostPasswordPlace, SealedSecret } from '../../infrastructure/secrets/sealed-secret';

export type DatabaseEngine = z.output<typeof databaseEngineSchema>;

/** A database host as it is stored: its admin password sealed as text. */
export interface DatabaseHost {
  id: number;
  name: string;
  engine: DatabaseEngine;
  adminHost: string;
  adminPort: number;
  adminUser: string;
  adminPassword: string;
  siteHost: string;
  sitePort: number;
  createdAt: Date;
}

/** A database host as the manager sees it: its admin password sealed. */
export type DatabaseHostRecord = Omit<DatabaseHost, 'adminPassword'> & { adminPassword: SealedSecret };

/** A host row with its admin password wrapped for the SecretBox. */
export function toHostRecord(row: DatabaseHost): DatabaseHostRecord {
  return { ...row, adminPassword: new SealedSecret(row.adminPassword, hostPasswordPlace(row.id)) };
}
