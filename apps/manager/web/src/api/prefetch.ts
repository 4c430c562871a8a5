import { manager } from './client';

/** How long a prefetched answer may stand in for a fresh read. */
const FRESH_MS = 10_000;

const early = new Map<string, { answer: Promise<unknown>; at: number }>();

/**
 * Starts a GET before the screen that needs it exists (at page load, alongside the sign-in check and
 * the screen's code). A failed prefetch is forgotten: the screen then reads and shows the error itself.
 */
export function prefetch(path: string): void {
  const answer = manager.get<unknown>(path);
  answer.catch(() => early.delete(path));
  early.set(path, { answer, at: Date.now() });
}

/** The prefetched answer for `path`, once (later reads go to the server), if it is still fresh. */
export function takePrefetched<T>(path: string): Promise<T> | undefined {
  const entry = early.get(path);
  if (!entry) return undefined;
  early.delete(path);
  return Date.now() - entry.at <= FRESH_MS ? (entry.answer as Promise<T>) : undefined;
}
