import { z } from 'zod';
import { queryIntegerSchema } from './ids';

/**
 * The wire format of an orchestrator websocket that carries a process in a site's container: the
 * browser terminal (`/ws/sites/:siteId/terminal`, relayed by the manager) and the SSH shell
 * (`/ws/shell-server/:siteId`, used by the shell server). One format for both, so the shell and the
 * dashboard drive the same code on the orchestrator.
 *
 * - **Binary frames** carry bytes. The first byte names the stream, the rest is the data:
 *   {@link STREAM.stdin} from the client; {@link STREAM.stdout} and {@link STREAM.stderr} from the
 *   orchestrator (a TTY session has only stdout).
 * - **Text frames** carry one JSON control message: {@link terminalClientMessageSchema} from the
 *   client, {@link terminalServerMessageSchema} from the orchestrator. A text frame that is not a
 *   valid message is ignored (and counted), never fatal.
 */
export const STREAM = { stdin: 0, stdout: 1, stderr: 2 } as const;

/**
 * Bounds a terminal size is clamped to: a 0×0 or 100000×100000 resize never reaches Docker as is.
 * The minimum is 2, not 1: the engine silently ignores a dimension of 1 (measured on Docker 20.10).
 */
export const TERMINAL_SIZE_LIMITS = { minCols: 2, maxCols: 1_000, minRows: 2, maxRows: 500 } as const;

/** Clamps a requested terminal size into {@link TERMINAL_SIZE_LIMITS} (whole numbers only). */
export function clampTerminalSize(cols: number, rows: number): { cols: number; rows: number } {
  const clamp = (value: number, min: number, max: number) =>
    Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : min;
  return {
    cols: clamp(cols, TERMINAL_SIZE_LIMITS.minCols, TERMINAL_SIZE_LIMITS.maxCols),
    rows: clamp(rows, TERMINAL_SIZE_LIMITS.minRows, TERMINAL_SIZE_LIMITS.maxRows),
  };
}

/** What a session runs: an interactive shell on a TTY, one command (exit code returned), or SFTP. */
export const terminalModeSchema = z.enum(['shell', 'exec', 'sftp']);
/** Parsed form of {@link terminalModeSchema}. */
export type TerminalMode = z.output<typeof terminalModeSchema>;

/**
 * How a session starts, sent in the upgrade request's query string (covered by the request
 * signature): `?mode=shell&cols=80&rows=24&term=xterm-256color`, or `?mode=exec&command=<base64url>`
 * (with `tty=1` when the SSH client asked for a PTY), or `?mode=sftp`. The shell server also sends the
 * manager's single-use token in the `x-dais-shell-token` header.
 */
export const terminalOpenSchema = z.strictObject({
  mode: terminalModeSchema.default('shell'),
  /** Any size SSH can carry (a 32-bit count); clamped by {@link clampTerminalSize} before use. */
  cols: queryIntegerSchema(0, 0xffff_ffff).optional(),
  rows: queryIntegerSchema(0, 0xffff_ffff).optional(),
  term: z
    .string()
    .regex(/^[A-Za-z0-9._+-]{1,64}$/, 'TERM is letters, digits and . _ + - (at most 64)')
    .optional(),
  /** For `exec`: the command line, base64url of its UTF-8 bytes (run with `sh -c` in the container). */
  command: z.string().max(16_384).optional(),
  tty: z.enum(['0', '1']).optional(),
});
/** Parsed form of {@link terminalOpenSchema}. */
export type TerminalOpen = z.output<typeof terminalOpenSchema>;

/** The header the shell server puts the manager's shell token in when it opens `/ws/shell-server/:siteId`. */
export const SHELL_TOKEN_HEADER = 'x-dais-shell-token';

/** Control messages a client sends (text frames). */
export const terminalClientMessageSchema = z.discriminatedUnion('type', [
  /** The client's window changed size; clamped, never refused. */
  z.strictObject({ type: z.literal('resize'), cols: z.number(), rows: z.number() }),
  /** End of input (Ctrl-D on a non-TTY exec, `ssh host cmd < file` reaching its end). */
  z.strictObject({ type: z.literal('eof') }),
  /** Keeps an idle but wanted session open; answered with `pong`. */
  z.strictObject({ type: z.literal('ping') }),
  /** One SFTP file request (mode `sftp` only); answered by a `file-reply` with the same id. */
  z.strictObject({ type: z.literal('file'), id: z.number().int().nonnegative(), request: z.lazy(() => fileRequestSchema) }),
]);
/** Parsed form of {@link terminalClientMessageSchema}. */
export type TerminalClientMessage = z.output<typeof terminalClientMessageSchema>;

/** A file path as a client names it: relative to the site folder (`/` is the site folder itself). */
const sitePath = z.string().max(4_096);
/** A file time in whole seconds since the epoch, up to the end of year 9999. */
const fileTime = z.number().int().min(0).max(253_402_300_799);

/**
 * The file operations an SFTP session needs, each confined to the site folder by the orchestrator
 * exactly as the file API is. Data travels as base64 (SFTP is for convenience, not bulk speed).
 */
export const fileRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('stat'), path: sitePath, followLinks: z.boolean().default(true) }),
  z.strictObject({ op: z.literal('list'), path: sitePath }),
  z.strictObject({
    op: z.literal('read'),
    path: sitePath,
    offset: z.number().int().nonnegative(),
    length: z.number().int().min(0).max(262_144),
  }),
  /** `create: true` makes the file if missing; `truncate: true` empties it first (open with O_TRUNC). */
  z.strictObject({
    op: z.literal('write'),
    path: sitePath,
    offset: z.number().int().nonnegative(),
    data: z.string().max(400_000),
    create: z.boolean().default(false),
    truncate: z.boolean().default(false),
  }),
  z.strictObject({
    op: z.literal('open'),
    path: sitePath,
    create: z.boolean(),
    truncate: z.boolean(),
    exclusive: z.boolean().default(false),
  }),
  z.strictObject({ op: z.literal('mkdir'), path: sitePath }),
  z.strictObject({ op: z.literal('rmdir'), path: sitePath }),
  z.strictObject({ op: z.literal('remove'), path: sitePath }),
  z.strictObject({ op: z.literal('rename'), from: sitePath, to: sitePath }),
  z.strictObject({ op: z.literal('chmod'), path: sitePath, mode: z.number().int().min(0).max(0o7777) }),
  z.strictObject({ op: z.literal('realpath'), path: sitePath }),
  /** The text of the symbolic link `path` (the link itself, never followed). */
  z.strictObject({ op: z.literal('readlink'), path: sitePath }),
  /** Makes the symbolic link `path` → `target`: a relative target that stays inside the site folder. */
  z.strictObject({ op: z.literal('symlink'), path: sitePath, target: z.string().max(4_096) }),
  /** Cuts or extends a regular file to `size` bytes (SETSTAT/FSETSTAT with a size). */
  z.strictObject({ op: z.literal('truncate'), path: sitePath, size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }),
  /** Sets access and modification times, seconds since the epoch (SETSTAT/FSETSTAT with times; `put -p`). */
  z.strictObject({ op: z.literal('utimes'), path: sitePath, atime: fileTime, mtime: fileTime }),
]);
/** Parsed form of {@link fileRequestSchema}. */
export type FileRequest = z.output<typeof fileRequestSchema>;

/** What `stat` and `list` say of one entry. */
export const fileEntrySchema = z.object({
  name: z.string(),
  type: z.enum(['file', 'directory', 'symlink', 'other']),
  size: z.number(),
  mode: z.number().int(),
  /** Modification time, milliseconds since the epoch. */
  mtimeMs: z.number(),
});
/** Parsed form of {@link fileEntrySchema}. */
export type FileEntry = z.output<typeof fileEntrySchema>;

/** Control messages the orchestrator sends (text frames). */
export const terminalServerMessageSchema = z.discriminatedUnion('type', [
  /**
   * The session is open (the container process started). `siteRunning: false`: the site is dynamic
   * but its container is not running, so the process runs in a stand-in container with the site's
   * files and limits (an owner fixing a crashing run.sh still gets a shell).
   */
  z.object({ type: z.literal('ready'), siteRunning: z.boolean().optional() }),
  /** The process ended; `code` is its exit status (128 + n after signal n). The socket closes next. */
  z.object({ type: z.literal('exit'), code: z.number().int() }),
  /** The session could not start or broke; `code` is a Dais error code. The socket closes next. */
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('pong') }),
  /**
   * The answer to a `file` request. `error.code` is an SFTP-meaningful code: `NOT_FOUND`,
   * `FORBIDDEN` (outside the folder, a link out, setuid), `EXISTS`, `NOT_EMPTY`, `INVALID`, `FAILED`.
   */
  z.object({
    type: z.literal('file-reply'),
    id: z.number().int(),
    ok: z.boolean(),
    /** `stat`/`realpath`: an entry (realpath: `name` is the normalised path); `list`: entries; `read`: base64 data (empty at EOF). */
    entry: fileEntrySchema.optional(),
    entries: z.array(fileEntrySchema).optional(),
    data: z.string().optional(),
    /** `open`: the file's path with every link on the way resolved (what the handle names afterwards). */
    path: z.string().optional(),
    /** `readlink`: the link's text. */
    target: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
]);
/** Parsed form of {@link terminalServerMessageSchema}. */
export type TerminalServerMessage = z.output<typeof terminalServerMessageSchema>;
