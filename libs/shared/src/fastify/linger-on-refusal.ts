import type { FastifyInstance } from 'fastify';

/** How long and how much of a refused body a server reads and throws away so that its client hears why. */
export interface LingerLimits {
  /** Give up on a body that has not arrived this long after the answer went out. */
  maxMs: number;
  /** Do not wait for a body announced (Content-Length) larger than this; close at once. */
  maxBytes: number;
}

/** Like nginx's lingering_time: long enough for a large upload on a slow line, bounded. */
export const DEFAULT_LINGER_LIMITS: LingerLimits = { maxMs: 10_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Fastify refuses a body it will not read (too large, unreadable) with `Connection: close`, and
 * Node then destroys the socket as soon as the answer is written. The client is usually still
 * sending, so it gets a reset (EPIPE) instead of the 413 and its message. As nginx's lingering
 * close does, keep the connection open and discard the rest of the body, so the client can read
 * the answer; a body that does not arrive within `maxMs` (or is announced past `maxBytes`) still
 * ends in a closed connection.
 */
export function lingerOnRefusedBody(app: FastifyInstance, limits: LingerLimits = DEFAULT_LINGER_LIMITS): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    const announced = Number(request.headers['content-length'] ?? 0);
    if (reply.getHeader('connection') === 'close' && !raw.complete && !(announced > limits.maxBytes)) {
      // Without Connection: close, Node keeps the socket and drains the unread body (IncomingMessage._dump).
      reply.removeHeader('connection');
      const giveUp = setTimeout(() => raw.socket.destroy(), limits.maxMs).unref();
      raw.once('end', () => clearTimeout(giveUp));
      raw.once('close', () => clearTimeout(giveUp));
    }
    done(null, payload);
  });
}
