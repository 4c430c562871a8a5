import { z } from 'zod';

/** The shell's address for the person connecting (for rate limits and the audit log). */
const remoteAddress = z.string().max(64).nullable().default(null);
/** `user+site`: the site to go straight into, if the person named one. */
const siteName = z.string().max(64).optional();

/** `POST /shell-server/auth/password` (shell only). */
export const shellPasswordAuthSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  site: siteName,
  remoteAddress,
});

/** `POST /shell-server/auth/public-key` (shell only): the shell has checked the signature; the manager says whose key it is. */
export const shellPublicKeyAuthSchema = z.strictObject({
  username: z.string().min(1).max(64),
  /** `type base64`, as the SSH client offered it. */
  publicKey: z.string().min(1).max(8_000),
  site: siteName,
  remoteAddress,
});

/** A site the person may open a shell in, with a single-use token for the orchestrator (≤ 60 s). */
export const shellSiteGrantSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(['static', 'dynamic']),
  token: z.string(),
});

/** The answer to a successful shell sign-in. */
export const shellAuthResultSchema = z.object({
  user: z.object({ id: z.number().int(), username: z.string() }),
  sites: z.array(shellSiteGrantSchema),
});

/** Parsed form of {@link shellAuthResultSchema}. */
export type ShellAuthResult = z.output<typeof shellAuthResultSchema>;

/** `POST /shell-server/sessions` (shell only): a session opened or ended, for the audit log. */
export const shellSessionEventSchema = z.strictObject({
  userId: z.number().int().positive(),
  siteId: z.number().int().positive(),
  kind: z.enum(['shell', 'exec', 'sftp']),
  event: z.enum(['start', 'end']),
  remoteAddress,
  /** For `exec`: the command's first 200 characters. */
  command: z.string().max(200).optional(),
});
