/**
 * The manager's answers, typed from the same zod contracts the manager validates with
 * (libs/shared): a field renamed on the server fails the dashboard's type check.
 */
import type { z } from 'zod';
import {
  type auditEventViewSchema,
  type createdTokenViewSchema,
  type sshKeyViewSchema,
  type tokenViewSchema,
  type userViewSchema,
  type databaseHostViewSchema,
  type imageViewSchema,
  type siteDatabaseConnectionViewSchema,
} from '@dais/shared/rules';

export type { OperationView, SiteView } from '@dais/shared/rules';
export type { DomainView, SiteMemberView } from '@dais/shared/rules';
export type { SiteStatus } from '@dais/shared/rules';
export type { UserView } from '@dais/shared/rules';

export type AuditEventView = z.output<typeof auditEventViewSchema>;
export type TokenView = z.output<typeof tokenViewSchema>;
export type CreatedTokenView = z.output<typeof createdTokenViewSchema>;
export type SshKeyView = z.output<typeof sshKeyViewSchema>;
export type AccountView = z.output<typeof userViewSchema>;
export type DatabaseHostView = z.output<typeof databaseHostViewSchema>;
export type ImageView = z.output<typeof imageViewSchema>;
export type DatabaseConnectionView = z.output<typeof siteDatabaseConnectionViewSchema>;

/** A page of a list: its items under their name, and the cursor of the next page (null at the end). */
export interface Page {
  nextCursor: number | null;
}
