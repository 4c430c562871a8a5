import type { UserRecord } from '../users/user';

/** An API token as services see it: only its hash is stored. */
export interface ApiTokenRecord {
  id: number;
  userId: number;
  name: string;
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A dashboard session as services see it: only its token's hash is stored. */
export interface SessionRecord {
  id: number;
  tokenHash: string;
  userId: number;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** A live session with its account, and whether this read extended it. */
export type LiveSession = SessionRecord & { user: UserRecord; extended: boolean };
