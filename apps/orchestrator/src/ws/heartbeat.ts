import type { WebSocket } from 'ws';

/**
 * Pings the peer every `intervalMs`; a peer that has not answered the previous ping is dropped
 * (a vanished browser or manager must not keep a process in a container alive).
 */
export function keepAlive(ws: WebSocket, intervalMs: number): void {
  let answered = true;
  ws.on('pong', () => {
    answered = true;
  });
  const timer = setInterval(() => {
    if (!answered) {
      ws.terminate();
      return;
    }
    answered = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  ws.once('close', () => clearInterval(timer));
}
