import type { OutgoingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { DaisError } from '../errors/dais-error';
import type { OutboundTls } from '../http/outbound-tls';
import { readAll, refusalError, unreachableError } from './peer-errors';

/** One signed upgrade to open (signed by {@link PeerClient.upgrade}). */
export interface UpgradeRequest {
  url: string;
  /** The path as the caller named it, for error messages. */
  path: string;
  /** How errors name the peer. */
  name: string;
  headers: OutgoingHttpHeaders;
  handshakeTimeoutMs: number;
  tls: OutboundTls | undefined;
}

/**
 * Opens a websocket and resolves with what `onOpen` made of it. `onOpen` runs synchronously in the
 * 'open' event: a message the peer sends with its 101 answer can arrive before an awaiting caller
 * would resume, so listeners are attached there. From then on errors are the caller's to handle.
 */
export function openUpgrade<T>(request: UpgradeRequest, onOpen: (socket: WebSocket) => T): Promise<T> {
  const socket = new WebSocket(request.url, {
    headers: request.headers,
    handshakeTimeout: request.handshakeTimeoutMs,
    perMessageDeflate: false,
    ...request.tls,
  });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (error: DaisError) => {
      if (settled) return;
      settled = true;
      socket.terminate();
      reject(error);
    };
    // Stays attached after a failure: terminating a connecting socket emits one more error.
    const onError = (error: Error) => fail(unreachableError(request.name, error));
    socket.on('error', onError);
    socket.once('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      void readAll(response)
        .catch(() => '') // The body is a courtesy; the status still says enough.
        .then((body) => fail(refusalError(request.name, status, body, `the upgrade to ${request.path}`)));
    });
    socket.once('open', () => {
      settled = true;
      socket.off('error', onError);
      try {
        resolve(onOpen(socket));
      } catch (error) {
        socket.terminate();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
