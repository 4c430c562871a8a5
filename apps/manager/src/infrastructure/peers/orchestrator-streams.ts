import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import {
  DaisError,
  errorBodySchema,
  isErrorCode,
  liveStreamMessageSchema,
  loadOwnPrivateKey,
  signRequest,
  STREAM,
  type LiveStreamMessage,
} from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';

/** Most bytes the manager buffers towards the orchestrator for one stream before dropping it. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** What a stream hands to whoever relays it. */
export interface OrchestratorStreamHandlers {
  onBytes(data: Buffer, stream: 'stdout' | 'stderr'): void;
  onMessage(message: LiveStreamMessage): void;
  /** The stream ended, from either side (called once). */
  onClose(): void;
}

/** One open orchestrator websocket, as the relay sees it (the `ws` library stays in this file). */
export interface OrchestratorStream {
  /** Keystrokes for a terminal. */
  sendInput(data: Uint8Array): void;
  /** A control message (resize, ping, eof). */
  sendControl(message: object): void;
  close(): void;
}

/**
 * Opens the orchestrator's live websockets (`/ws/sites/:siteId/...`) as the manager: each upgrade
 * signed like every other call (GET, the path with its query, an empty body).
 */
@Injectable()
export class OrchestratorStreams {
  private readonly privateKey: KeyObject;
  private readonly baseUrl: string;

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {
    this.privateKey = loadOwnPrivateKey(config.keys.dir, 'manager');
    this.baseUrl = config.orchestrator.url.replace(/^http/, 'ws').replace(/\/$/, '');
  }

  /** Opens `path`; resolves once the orchestrator accepted, or rejects with its coded refusal. */
  open(path: string, handlers: OrchestratorStreamHandlers): Promise<OrchestratorStream> {
    const headers = signRequest(
      { callerId: 'manager', privateKey: this.privateKey },
      { audience: this.config.orchestrator.id, method: 'GET', path, body: '' },
    );
    const ws = new WebSocket(this.baseUrl + path, {
      headers,
      handshakeTimeout: this.config.peerTimeoutMs,
      perMessageDeflate: false,
      ...this.config.peerTls,
    });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_request, response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => reject(refusalError(response.statusCode ?? 0, text)));
        response.on('error', () => reject(refusalError(response.statusCode ?? 0, '')));
      });
      ws.once('error', (error) => {
        reject(new DaisError('PEER_UNAVAILABLE', `Could not reach the orchestrator: ${error.message}.`, undefined, { cause: error }));
      });
      ws.once('open', () => {
        attach(ws, handlers);
        resolve(streamOf(ws));
      });
    });
  }
}

function attach(ws: WebSocket, handlers: OrchestratorStreamHandlers): void {
  ws.on('error', () => ws.terminate());
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      if (data.length > 1) handlers.onBytes(data.subarray(1), data[0] === STREAM.stderr ? 'stderr' : 'stdout');
      return;
    }
    const parsed = liveStreamMessageSchema.safeParse(safeJson(data.toString('utf8')));
    if (parsed.success) handlers.onMessage(parsed.data);
  });
  ws.once('close', () => handlers.onClose());
}

function streamOf(ws: WebSocket): OrchestratorStream {
  const send = (data: Buffer | string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    // A client typing faster than the orchestrator reads is not a client to keep.
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
    else ws.send(data);
  };
  return {
    sendInput: (data) => send(Buffer.concat([Buffer.of(STREAM.stdin), data])),
    sendControl: (message) => send(JSON.stringify(message)),
    close: () => ws.close(1000),
  };
}

function refusalError(status: number, text: string): DaisError {
  const parsed = errorBodySchema.safeParse(safeJson(text));
  if (parsed.success && isErrorCode(parsed.data.error.code) && parsed.data.error.code !== 'INTERNAL') {
    return new DaisError(parsed.data.error.code, parsed.data.error.message);
  }
  return new DaisError('PEER_ERROR', `The orchestrator refused the stream (HTTP ${status}).`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
