import type { RawData, WebSocket } from 'ws';
import { STREAM, terminalClientMessageSchema, type TerminalClientMessage, type LiveStreamMessage } from '@dais/shared';

/** Sends one control message as a JSON text frame (dropped if the socket is closing). */
export function sendMessage(ws: WebSocket, message: LiveStreamMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

/**
 * Bytes queued for a client past which it is dropped: a process session pauses its output long
 * before (see process-channel.ts); this bounds memory for streams that cannot pause.
 */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Sends bytes of stdout or stderr as a binary frame whose first byte names the stream. */
export function sendBytes(ws: WebSocket, data: Buffer, stderr: boolean): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_QUEUED_BYTES) {
    ws.terminate();
    return;
  }
  ws.send(Buffer.concat([Buffer.of(stderr ? STREAM.stderr : STREAM.stdout), data]), { binary: true });
}

/** Sends an error message and closes the socket: the session could not start or broke. */
export function closeWithError(ws: WebSocket, code: string, message: string): void {
  sendMessage(ws, { type: 'error', code, message });
  ws.close(1000);
}

/** An incoming frame: stdin bytes, a valid control message, or something to ignore. */
export type ClientFrame = { kind: 'stdin'; data: Buffer } | { kind: 'message'; message: TerminalClientMessage } | { kind: 'ignored' };

/** Reads one client frame; anything malformed is `ignored`, never fatal. */
export function readClientFrame(data: RawData, isBinary: boolean): ClientFrame {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) {
    return buffer.length > 1 && buffer[0] === STREAM.stdin ? { kind: 'stdin', data: buffer.subarray(1) } : { kind: 'ignored' };
  }
  let json: unknown;
  try {
    json = JSON.parse(buffer.toString('utf8'));
  } catch {
    return { kind: 'ignored' };
  }
  const parsed = terminalClientMessageSchema.safeParse(json);
  return parsed.success ? { kind: 'message', message: parsed.data } : { kind: 'ignored' };
}
