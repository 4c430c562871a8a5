import type { WebSocket } from 'ws';
import type { SiteStatus } from '@dais/shared';
import type { SiteRuntimeDriver } from '../sites/runtime-driver';
import { sendMessage } from './ws-frames';

/**
 * One Docker event watch shared by every status stream of this process: started with the first
 * stream, stopped with the last, fanned out by site.
 */
export class SiteChangeWatch {
  private readonly listeners = new Map<number, Set<() => void>>();
  private stopWatching: (() => void) | undefined;

  constructor(private readonly runtime: SiteRuntimeDriver) {}

  /** Calls `onChange` when a container of the site changes; returns a function to stop. */
  subscribe(siteId: number, onChange: () => void): () => void {
    const set = this.listeners.get(siteId) ?? new Set();
    set.add(onChange);
    this.listeners.set(siteId, set);
    this.stopWatching ??= this.runtime.watch((changed) => {
      for (const listener of this.listeners.get(changed) ?? []) listener();
    });
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.listeners.delete(siteId);
      if (this.listeners.size === 0) {
        this.stopWatching?.();
        this.stopWatching = undefined;
      }
    };
  }

  /** Stops the shared watch (shutdown). */
  close(): void {
    this.listeners.clear();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}

/**
 * Pushes a site's status: once at once, then whenever it changes. Docker events trigger a fresh
 * read; so does a slow poll, because some changes raise no event (a started program beginning to
 * accept connections, an owner stopping the site). Unchanged statuses are not sent again.
 */
export function runStatusChannel(
  ws: WebSocket,
  deps: { watch: SiteChangeWatch; status: (siteId: number) => Promise<SiteStatus>; pollMs: number },
  siteId: number,
): void {
  let last = '';
  let reading = false;
  let again = false;
  // A call, not a read: `again` changes while a read awaits.
  const isAgain = () => again;
  const refresh = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const status = await deps.status(siteId).catch(() => null);
        const text = JSON.stringify(status);
        if (status && text !== last) {
          last = text;
          sendMessage(ws, { type: 'status', status });
        }
      } while (isAgain() && ws.readyState === ws.OPEN);
    } finally {
      reading = false;
    }
  };
  const unsubscribe = deps.watch.subscribe(siteId, () => void refresh());
  const poll = setInterval(() => void refresh(), deps.pollMs);
  ws.once('close', () => {
    unsubscribe();
    clearInterval(poll);
  });
  void refresh();
}
