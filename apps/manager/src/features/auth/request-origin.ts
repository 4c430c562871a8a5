import type { IncomingHttpHeaders } from 'node:http';
import { DaisError } from '@dais/shared';
import type { ManagerConfig } from '../../config/manager.config';

/** The origins the dashboard is served from: `DAIS_PUBLIC_URL`'s and those in `DAIS_ALLOWED_ORIGINS`. */
export function dashboardOrigins(config: Pick<ManagerConfig, 'publicUrl' | 'http'>): ReadonlySet<string> {
  return new Set([new URL(config.publicUrl).origin, ...config.http.allowedOrigins.map((origin) => new URL(origin).origin)]);
}

/**
 * Refuses a request a browser sent from a page of another origin (its `Origin` header, which pages
 * cannot forge; `null` from sandboxed frames and files counts as foreign). Requests without one come
 * from scripts and tools, which no other site can make a person's browser send.
 */
export function assertDashboardOrigin(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): void {
  const origin = headers.origin;
  if (origin === undefined || allowed.has(origin)) return;
  throw new DaisError('CSRF_FAILED', 'This request came from a page of another site; sign in and act from the Dais dashboard itself.');
}

/**
 * Refuses a body that is not JSON before anything reads it: an HTML form elsewhere can send
 * `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain` across sites without
 * the browser asking first, but never `application/json`.
 */
export function assertJsonBody(headers: IncomingHttpHeaders): void {
  const type = (headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the sign-in as application/json: {"username": "…", "password": "…"}.');
  }
}
