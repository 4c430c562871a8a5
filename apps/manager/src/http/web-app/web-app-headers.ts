import type { FastifyReply } from 'fastify';

/**
 * The dashboard's Content Security Policy: its own scripts only, no inline script, no framing.
 * Styles allow 'unsafe-inline' because CodeMirror and xterm.js inject `<style>` elements; data:
 * images and fonts cover icons they embed; ws:/wss: is Socket.IO on this same origin.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Hashed asset names change with their content, so a browser may keep them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: the browser must ask again every time. */
export const REVALIDATE = 'no-cache';

/** Headers on every response of the dashboard, files and errors alike. */
export function withWebAppHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_APP_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin');
}
