import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { toErrorResponse } from '@dais/shared';

/**
 * Answers a refused websocket upgrade the way the HTTP API answers a refused request: a status
 * line and the shared JSON error body, then the connection is closed. Nothing is upgraded.
 */
export function refuseUpgrade(socket: Duplex, error: unknown, log: (entry: object, message: string) => void): void {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) log({ err: unexpected.error, reference: unexpected.correlationId }, 'unexpected error during a websocket upgrade');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      'Connection: close\r\n\r\n' +
      json,
  );
}
