import { useCallback, useEffect, useRef, useState } from 'react';
import type { LiveClosed, LiveData, LiveMessage, LiveOpenAck, LiveStreamMessage } from '@dais/shared/rules';
import { useSocket } from './socket';
import { StreamEventGate } from './stream-event-gate';

/** What to open: the `live:open` payload (docs/terminals.md). */
export type LiveStreamRequest =
  | { kind: 'terminal'; siteId: number; cols?: number; rows?: number }
  | { kind: 'logs'; siteId: number; tail?: number }
  | { kind: 'status'; siteId: number }
  | { kind: 'files'; siteId: number; path?: string };

export type LiveStreamState = 'opening' | 'open' | 'closed';

interface LiveStreamHandlers {
  onData?: (data: Uint8Array, stream: 'stdout' | 'stderr') => void;
  onMessage?: (message: LiveStreamMessage) => void;
  /** The stream ended: the process exited, access was withdrawn, the connection dropped. */
  onClosed?: (closed: { reason: string; code?: string }) => void;
}

export interface LiveStream {
  state: LiveStreamState;
  /** Why opening failed or the stream ended, for the screen to show. */
  problem: { code?: string; message: string } | null;
  send: (data: string | Uint8Array) => void;
  resize: (cols: number, rows: number) => void;
  /** Opens it again (after an exit, or to start over). */
  reopen: () => void;
}

/**
 * One live stream of a site over the dashboard's Socket.IO connection, relayed by the manager to the
 * orchestrator. Opened while the component lives (and `request` is not null), closed when it unmounts
 * or the request changes; opened again after a reconnection.
 */
export function useLiveStream(request: LiveStreamRequest | null, handlers: LiveStreamHandlers): LiveStream {
  const { socket, generation, state: connection } = useSocket();
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const streamIdRef = useRef<string | null>(null);
  const [state, setState] = useState<LiveStreamState>('opening');
  const [problem, setProblem] = useState<LiveStream['problem']>(null);
  const [attempt, setAttempt] = useState(0);
  const requestKey = request ? JSON.stringify(request) : null;

  useEffect(() => {
    if (requestKey === null || connection !== 'connected') return undefined;
    let streamId: string | null = null;
    let ended = false;
    setState('opening');
    setProblem(null);
    // The first bytes may come before the ack that names the stream: held until then, not dropped.
    const gate = new StreamEventGate();
    const onData = (event: LiveData): void =>
      gate.offer(event.streamId, () => handlersRef.current.onData?.(new Uint8Array(event.data), event.stream));
    const onMessage = (event: LiveMessage): void => gate.offer(event.streamId, () => handlersRef.current.onMessage?.(event.message));
    const onClosed = (event: LiveClosed): void =>
      gate.offer(event.streamId, () => {
        streamIdRef.current = null;
        setState('closed');
        setProblem({ ...(event.code ? { code: event.code } : {}), message: event.reason });
        handlersRef.current.onClosed?.({ reason: event.reason, ...(event.code ? { code: event.code } : {}) });
      });
    socket.on('live:data', onData);
    socket.on('live:message', onMessage);
    socket.on('live:closed', onClosed);
    void (socket.emitWithAck('live:open', JSON.parse(requestKey)) as Promise<LiveOpenAck>).then((ack) => {
      if (!ack.ok) {
        setState('closed');
        setProblem(ack.error);
        return;
      }
      if (ended) {
        socket.emit('live:close', { streamId: ack.streamId });
        return;
      }
      streamId = ack.streamId;
      streamIdRef.current = ack.streamId;
      setState('open');
      gate.open(ack.streamId);
    });
    return () => {
      ended = true;
      socket.off('live:data', onData);
      socket.off('live:message', onMessage);
      socket.off('live:closed', onClosed);
      if (streamId) socket.emit('live:close', { streamId });
      streamIdRef.current = null;
    };
  }, [socket, generation, connection, requestKey, attempt]);

  const send = useCallback(
    (data: string | Uint8Array) => {
      if (streamIdRef.current) socket.emit('live:input', { streamId: streamIdRef.current, data });
    },
    [socket],
  );
  const resize = useCallback(
    (cols: number, rows: number) => {
      if (streamIdRef.current) socket.emit('live:resize', { streamId: streamIdRef.current, cols, rows });
    },
    [socket],
  );
  const reopen = useCallback(() => setAttempt((value) => value + 1), []);
  return { state, problem, send, resize, reopen };
}
