import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a controller did to a reply: its status, headers, cookies and body. */
export interface RecordedReply {
  statusCode: number;
  headers: Record<string, unknown>;
  cookies: Record<string, { value: string; options: unknown }>;
  cleared: string[];
  body: unknown;
}

/** A Fastify reply that records what a controller sets on it (the chainable part controllers use). */
export function fakeReply(): { reply: FastifyReply; recorded: RecordedReply } {
  const recorded: RecordedReply = { statusCode: 200, headers: {}, cookies: {}, cleared: [], body: undefined };
  const reply = {
    status(code: number) {
      recorded.statusCode = code;
      return reply;
    },
    header(name: string, value: unknown) {
      recorded.headers[name.toLowerCase()] = value;
      return reply;
    },
    setCookie(name: string, value: string, options: unknown) {
      recorded.cookies[name] = { value, options };
      return reply;
    },
    clearCookie(name: string) {
      recorded.cleared.push(name);
      return reply;
    },
    send(body: unknown) {
      recorded.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, recorded };
}

/** The parts of a Fastify request controllers read: headers, cookies, url, ip, method, body and the raw stream's state. */
export interface FakeRequestParts {
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  url?: string;
  method?: string;
  body?: unknown;
  complete?: boolean;
}

/** A Fastify request built from the parts a controller reads, plus a record of whether its body was resumed. */
export function fakeRequest(parts: FakeRequestParts = {}): { request: FastifyRequest; resumed: () => boolean } {
  let resumed = false;
  const request = {
    headers: parts.headers ?? {},
    cookies: parts.cookies ?? {},
    url: parts.url ?? '/',
    method: parts.method ?? 'GET',
    ip: '192.0.2.11',
    body: parts.body,
    raw: {
      complete: parts.complete ?? true,
      resume() {
        resumed = true;
      },
    },
  };
  return { request: request as unknown as FastifyRequest, resumed: () => resumed };
}
