import { z } from 'zod';
import { siteIdSchema } from './site-id';

/**
 * Why the manager ends someone's shell sessions, each with the one line the person reads in their
 * terminal before the SSH session closes (the shell prints it after the site's name).
 */
export const SESSION_END_MESSAGES = {
  'account-disabled': 'an admin disabled your account, so this session ended.',
  'credentials-changed': 'your password changed and your other sessions were signed out; connect again.',
  'site-locked': 'an admin locked this site, so this session ended; ask an admin to enable it again.',
  'member-removed': 'you are no longer a member of this site, so this session ended.',
} as const;

/** One of the reasons in {@link SESSION_END_MESSAGES}. */
export type SessionEndReason = keyof typeof SESSION_END_MESSAGES;

const userIdSchema = z.number().int().positive().max(2_147_483_647);

/**
 * `POST /v1/sessions/end` (manager → orchestrator): closes the shell's live sessions (SSH and SFTP)
 * of these users, of this site, or of these users in this site, and refuses the shell tokens the
 * manager issued to them before `at` (a person sitting at the site menu holds one for up to 60 s).
 */
export const endSessionsRequestSchema = z
  .strictObject({
    userIds: z.array(userIdSchema).min(1).max(10_000).optional(),
    siteId: siteIdSchema.optional(),
    reason: z.enum(Object.keys(SESSION_END_MESSAGES) as [SessionEndReason, ...SessionEndReason[]]),
    /** When access ended, in milliseconds since the epoch on the manager's clock (the clock shell tokens carry). */
    at: z.number().int().positive(),
  })
  .refine((request) => request.userIds !== undefined || request.siteId !== undefined, 'name userIds, a siteId, or both');

/** Parsed form of {@link endSessionsRequestSchema}. */
export type EndSessionsRequest = z.output<typeof endSessionsRequestSchema>;

/** The answer: how many live sessions were closed. */
export const sessionsEndedSchema = z.object({ ended: z.number().int().nonnegative() });

/** Parsed form of {@link sessionsEndedSchema}. */
export type SessionsEnded = z.output<typeof sessionsEndedSchema>;
