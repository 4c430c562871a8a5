import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The address the shell saw the person connect from. The manager cannot check it, so it is used
 * only to rate-limit sign-ins and, marked as the shell's report, in the audit log; never to decide
 * who may do what.
 */
const remoteAddress = z
  .string()
  .max(64)
  .refine((value) => isIP(value) !== 0, 'must be an IP address')
  .nullable()
  .default(null);
/** Standard base64 (what the SSH wire data travels as). */
const base64 = (max: number) =>
  z
    .string()
    .min(4)
    .max(max)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
/** `user+site`: the site to go straight into, if the person named one. */
const siteName = z.string().max(64).optional();

/** `POST /shell-server/auth/password` (shell only). */
export const shellPasswordAuthSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  site: siteName,
  remoteAddress,
});

/**
 * `POST /shell-server/auth/public-key` (shell only): the client's proof that it holds the key,
 * forwarded as the client sent it. The manager verifies the signature itself (the shell's key alone
 * must not be enough to sign anyone in), then says whose key it is.
 */
export const shellPublicKeyAuthSchema = z.strictObject({
  username: z.string().min(1).max(64),
  /** `type base64`, as the SSH client offered it. */
  publicKey: z.string().min(1).max(8_000),
  /**
   * What the client signed (RFC 4252 §7): its connection's session identifier, then its
   * `SSH_MSG_USERAUTH_REQUEST` for `publickey` with this login name and key.
   */
  signedData: base64(12_000),
  /** The client's signature over `signedData`, in SSH form (RFC 4253 §6.6: `string` algorithm, `string` blob). */
  signature: base64(4_000),
  site: siteName,
  remoteAddress,
});

/** What the shell forwards of one public key sign-in (the part of {@link shellPublicKeyAuthSchema} the client made). */
export type ShellKeyProof = Pick<z.input<typeof shellPublicKeyAuthSchema>, 'publicKey' | 'signedData' | 'signature'>;

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
