/**
 * The manager's answers, typed from the same zod contracts the manager validates with
 * (libs/shared): a field renamed on the server fails the dashboard's type check.
 */
import type { z } from 'zod';
import type {
  auditEventViewSchema,
  createdTokenViewSchema,
  sshKeyViewSchema,
  tokenViewSchema,
  userViewSchema,
} from '@dais/rules/contracts/accounts';
import type { databaseHostViewSchema, imageViewSchema, siteDatabaseConnectionViewSchema } from '@dais/rules/contracts/manager-api';

export type { OperationView, SiteView } from '@dais/rules/contracts/manager-api';
export type { DomainView, SiteMemberView } from '@dais/rules/contracts/site-management';
export type { SiteStatus } from '@dais/rules/contracts/site-status';
export type { UserView } from '@dais/rules/contracts/accounts';

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
