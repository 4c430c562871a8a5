import type { roleSchema } from '@dais/shared';
import type { z } from 'zod';

/** What an account may do: everything (`admin`) or its own sites (`user`). */
export type Role = z.output<typeof roleSchema>;

/** An account as services see it (the stored row: the hash and SSO subject never leave the manager). */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  oidcSubject: string | null;
  disabled: boolean;
  createdAt: Date;
}

/** What may change on an account (fields left out, or undefined, stay as they are). */
export type UserChanges = {
  [Field in Exclude<keyof UserRecord, 'id' | 'createdAt'>]?: UserRecord[Field] | undefined;
};
