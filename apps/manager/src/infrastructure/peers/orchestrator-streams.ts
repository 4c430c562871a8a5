import { Inject, Injectable } from '@nestjs/common';
import type WebSocket from 'ws';
import { liveStreamMessageSchema, safeJson, STREAM, type LiveStreamMessage, type PeerClient } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { managerPeerClient } from './peer-clients';

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
 * Opens the orchestrator's live websockets (`/ws/sites/:siteId/...`) as the manager, each upgrade
 * signed like every other call (GET, the path with its query, an empty body).
 */
@Injectable()
export class OrchestratorStreams {
  private readonly orchestrator: PeerClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.orchestrator = managerPeerClient(config, config.orchestrator, `the orchestrator (${config.orchestrator.url})`);
  }

  /** Opens `path`; resolves once the orchestrator accepted, or rejects with its coded refusal. */
  open(path: string, handlers: OrchestratorStreamHandlers): Promise<OrchestratorStream> {
    return this.orchestrator.upgrade(path, {}, (ws) => {
      attach(ws, handlers);
      return streamOf(ws);
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
    if (ws.readyState !== ws.OPEN) return;
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
