import { z } from 'zod';
import { queryIntegerSchema } from './ids';
import { siteStatusSchema } from './site-status';
import { clampTerminalSize, terminalServerMessageSchema } from './terminal-channel';

/**
 * Live streams of one site: a terminal, its container's logs, its status, file changes in a folder.
 * The browser asks the manager over Socket.IO ({@link LIVE_EVENTS}); the manager checks membership
 * and opens the matching signed orchestrator websocket ({@link orchestratorStreamPath}), then
 * relays both ways. On the orchestrator websocket, bytes travel in binary frames framed as in
 * `terminal-channel.ts` and control messages as JSON text frames ({@link liveStreamMessageSchema}).
 */
export const LIVE_STREAM_KINDS = ['terminal', 'logs', 'status', 'files'] as const;

/** One of {@link LIVE_STREAM_KINDS}. */
export type LiveStreamKind = (typeof LIVE_STREAM_KINDS)[number];

/** Socket.IO event names of live streams (client → manager, then manager → client). */
export const LIVE_EVENTS = {
  open: 'live:open',
  input: 'live:input',
  resize: 'live:resize',
  close: 'live:close',
  data: 'live:data',
  message: 'live:message',
  closed: 'live:closed',
} as const;

/** Most log lines a logs stream may ask to start with (the orchestrator may cap lower). */
export const MAX_LOG_TAIL = 10_000;

const siteId = z.number().int().positive().max(2_147_483_647);
const streamPath = z
  .string()
  .max(4_096)
  .refine((path) => !path.includes('\0'), 'path must not contain NUL');

/** What a browser asks to open (`live:open`); answered with {@link LiveOpenAck}. */
export const liveOpenSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('terminal'), siteId, cols: z.number().optional(), rows: z.number().optional() }),
  z.strictObject({ kind: z.literal('logs'), siteId, tail: z.number().int().min(0).max(MAX_LOG_TAIL).default(100) }),
  z.strictObject({ kind: z.literal('status'), siteId }),
  z.strictObject({ kind: z.literal('files'), siteId, path: streamPath.default('/') }),
]);
/** Parsed form of {@link liveOpenSchema}. */
export type LiveOpen = z.output<typeof liveOpenSchema>;

/** The answer to `live:open`: the id the stream's events carry, or why it was refused. */
export type LiveOpenAck = { ok: true; streamId: string } | { ok: false; error: { code: string; message: string } };

const streamId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);

/** Keystrokes for a terminal (`live:input`): text, or raw bytes. */
export const liveInputSchema = z.strictObject({
  streamId,
  data: z.union([z.string().max(65_536), z.instanceof(Uint8Array).refine((data) => data.length <= 65_536, 'at most 64 KiB')]),
});
/** Parsed form of {@link liveInputSchema}. */
export type LiveInput = z.output<typeof liveInputSchema>;

/** A terminal's new size (`live:resize`); clamped, never refused for its values. */
export const liveResizeSchema = z.strictObject({ streamId, cols: z.number(), rows: z.number() });

/** Closes one stream (`live:close`). */
export const liveCloseSchema = z.strictObject({ streamId });

/** A status stream's message: the site's status, sent at once and on every change. */
export const siteStatusMessageSchema = z.object({ type: z.literal('status'), status: siteStatusSchema });

/** A file-watch stream's message: something in the open folder was added, changed or removed. */
export const fileEventMessageSchema = z.object({
  type: z.literal('file-event'),
  event: z.enum(['add', 'change', 'remove']),
  /** The entry's path relative to the site folder, starting with `/`. */
  path: z.string(),
});

/** Any control message an orchestrator stream sends (relayed to the browser as `live:message`). */
export const liveStreamMessageSchema = z.union([terminalServerMessageSchema, siteStatusMessageSchema, fileEventMessageSchema]);
/** Parsed form of {@link liveStreamMessageSchema}. */
export type LiveStreamMessage = z.output<typeof liveStreamMessageSchema>;

/** Bytes from a terminal or the logs (`live:data`). */
export interface LiveData {
  streamId: string;
  stream: 'stdout' | 'stderr';
  data: Uint8Array;
}

/** A control message of a stream (`live:message`). */
export interface LiveMessage {
  streamId: string;
  message: LiveStreamMessage;
}

/** A stream ended (`live:closed`): the process exited, the peer closed, access was withdrawn. */
export interface LiveClosed {
  streamId: string;
  reason: string;
  code?: string;
}

/** The orchestrator query of a logs stream. */
export const logsStreamQuerySchema = z.strictObject({ tail: queryIntegerSchema(0, MAX_LOG_TAIL).default(100) });

/** The orchestrator query of a status stream (none). */
export const statusStreamQuerySchema = z.strictObject({});

/** The orchestrator query of a file-watch stream. */
export const filesStreamQuerySchema = z.strictObject({ path: streamPath.default('/') });

/** The orchestrator websocket path (with query) that serves a {@link LiveOpen}. */
export function orchestratorStreamPath(open: LiveOpen): string {
  const base = `/ws/sites/${open.siteId}/${open.kind}`;
  const query = new URLSearchParams();
  switch (open.kind) {
    case 'terminal': {
      const size = clampTerminalSize(open.cols ?? 80, open.rows ?? 24);
      query.set('cols', String(size.cols));
      query.set('rows', String(size.rows));
      break;
    }
    case 'logs':
      query.set('tail', String(open.tail));
      break;
    case 'files':
      query.set('path', open.path);
      break;
    case 'status':
      break;
  }
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}
