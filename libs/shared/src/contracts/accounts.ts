import { z } from 'zod';
import { pathIdSchema, queryIntegerSchema } from './ids';

/** User names: lowercase letters, digits, `_` and `-`, starting with a letter (they appear in `ssh user@host`). */
export const usernameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be 1-32 lowercase letters, digits, _ or -, starting with a letter');

/**
 * An account's e-mail address: how non-admins name a person to add to a site, so usernames need not
 * be guessable. Stored lowercase (unique whatever the case); at most 254 characters (RFC 5321).
 */
export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an e-mail address like name@example.org'))
  .transform((email) => email.toLowerCase());

/** A password people can choose: long enough to resist guessing, bounded so hashing stays cheap. */
export const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');

/** `POST /api/auth/login`. */
export const loginRequestSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

/**
 * `POST /api/auth/password`: change one's own password. Unless `endOtherSessions` is false, every
 * other session of the account is signed out, its API tokens revoked and its SSH sessions closed.
 */
export const changePasswordRequestSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(200),
    newPassword: passwordSchema,
    endOtherSessions: z.boolean().default(true),
  })
  .refine((change) => change.currentPassword !== change.newPassword, {
    message: 'must differ from the current password',
    path: ['newPassword'],
  });

/** Roles: admins may see and change everything. */
export const roleSchema = z.enum(['admin', 'user']);

/** `POST /api/users` (admins). */
export const createUserRequestSchema = z.strictObject({
  username: usernameSchema,
  displayName: z.string().max(100).default(''),
  role: roleSchema.default('user'),
  password: passwordSchema.optional(),
  email: emailSchema.optional(),
});

/**
 * `PATCH /api/users/:id` (admins). A new password ends the person's sessions, API tokens and SSH
 * sessions unless `keepSessions` is true; `email: null` removes the address.
 */
export const updateUserRequestSchema = z
  .strictObject({
    displayName: z.string().max(100).optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    keepSessions: z.boolean().optional(),
    email: emailSchema.nullable().optional(),
  })
  .refine((update) => Object.keys(update).some((field) => field !== 'keepSessions'), 'send at least one field to change')
  .refine((update) => update.keepSessions === undefined || update.password !== undefined, {
    message: 'keepSessions goes with a new password',
    path: ['keepSessions'],
  });

/** `PATCH /api/auth/me`: what a person changes on their own account (`email: null` removes it). */
export const updateAccountRequestSchema = z.strictObject({ email: emailSchema.nullable() });

/** A user as the API shows it. */
export const userViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  /** Shown to the person and to admins only, never to other members. */
  email: z.string().nullable(),
  role: roleSchema,
  disabled: z.boolean(),
  hasPassword: z.boolean(),
  sso: z.boolean(),
  createdAt: z.string(),
});

/** Parsed form of {@link userViewSchema}. */
export type UserView = z.output<typeof userViewSchema>;

/** Answer to login and `GET /api/auth/me` with a session: the user, and the token for X-CSRF-Token. */
export const sessionViewSchema = z.object({ user: userViewSchema, csrfToken: z.string().nullable() });

/** `POST /api/tokens`: a personal API token for scripts. */
export const createTokenRequestSchema = z.strictObject({ name: z.string().min(1, 'name the token').max(100) });

/** A token as listed (the token itself is shown once, when created). */
export const tokenViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

/** `POST /api/ssh-keys`: an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export const addSshKeyRequestSchema = z.strictObject({
  name: z.string().min(1, 'name the key').max(100),
  publicKey: z.string().min(1).max(8_000, 'a public key line is at most 8000 characters'),
});

/** An SSH key as listed. */
export const sshKeyViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.string(),
  bits: z.number().int(),
  fingerprint: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

/** Paging for lists: `?limit=&cursor=` (cursor = the last id seen). */
export const pageQuerySchema = z.strictObject({
  limit: queryIntegerSchema(1, 200).default(50),
  cursor: pathIdSchema.optional(),
});

/** An entry of the audit log. */
export const auditEventViewSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  siteId: z.number().int().nullable(),
  siteName: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

/** `GET /api/audit`: newest first; pass `nextCursor` back as `cursor` for the next page. */
export const auditListViewSchema = z.object({ events: z.array(auditEventViewSchema), nextCursor: z.number().int().nullable() });

/** `GET /api/users` (admins), paged like the audit log. */
export const userListViewSchema = z.object({ users: z.array(userViewSchema), nextCursor: z.number().int().nullable() });

/** `GET /api/tokens`: the caller's live tokens (never the secrets). */
export const tokenListViewSchema = z.object({ tokens: z.array(tokenViewSchema) });

/** `POST /api/tokens`: the new token, the only time it is ever shown. */
export const createdTokenViewSchema = z.object({ id: z.number().int(), name: z.string(), token: z.string(), createdAt: z.string() });
