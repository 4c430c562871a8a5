import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { manager } from '../api/client';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

interface SocketState {
  socket: Socket;
  state: ConnectionState;
  /** Increases on every (re)connection: effects that subscribe depend on it to subscribe again. */
  generation: number;
}

const SocketContext = createContext<SocketState | null>(null);

/**
 * One Socket.IO connection for the signed-in session (the cookie authenticates it). Its state drives
 * the "connection lost" banner; after a reconnection every subscriber subscribes again and re-reads
 * what it shows, so nothing silently goes stale.
 */
/** How long after a refused connection the dashboard asks again. */
const REFUSED_RETRY_MS = 3_000;

export function SocketProvider({ children }: { children: ReactNode }): ReactNode {
  const [socket] = useState(() => io({ withCredentials: true, transports: ['websocket', 'polling'], reconnectionDelayMax: 5_000 }));
  const [state, setState] = useState<ConnectionState>('connecting');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const connected = (): void => {
      setState('connected');
      setGeneration((value) => value + 1);
    };
    const lost = (): void => setState('reconnecting');
    let retry: ReturnType<typeof setTimeout> | undefined;
    // Refused by the server's check rather than unreachable: Socket.IO does not retry that by itself.
    // Not signed in (any more) → the sign-in page; anything else (a manager still starting) → try again.
    const refused = (error: Error & { data?: { code?: string } }): void => {
      lost();
      if (socket.active) return;
      if (error.data?.code === 'UNAUTHENTICATED' || error.data?.code === 'SESSION_ENDED') manager.noteUnauthenticated();
      else retry = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
    };
    // The server ended this session (signed out elsewhere, password changed, account disabled):
    // back to the sign-in page, rather than a banner that reconnects for ever.
    const ended = (): void => manager.noteUnauthenticated();
    socket.on('session:ended', ended);
    socket.on('connect', connected);
    socket.on('disconnect', lost);
    socket.on('connect_error', refused);
    return () => {
      socket.off('session:ended', ended);
      socket.off('connect', connected);
      socket.off('disconnect', lost);
      socket.off('connect_error', refused);
      clearTimeout(retry);
      socket.disconnect();
    };
  }, [socket]);

  return <SocketContext.Provider value={{ socket, state, generation }}>{children}</SocketContext.Provider>;
}

export function useSocket(): SocketState {
  const state = useContext(SocketContext);
  if (!state) throw new Error('useSocket outside SocketProvider');
  return state;
}
