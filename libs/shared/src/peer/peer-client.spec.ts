import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import { CORRELATION_HEADER, withCorrelationId } from '../logging/correlation';
import { MemoryNonceStore } from '../signing/nonce-store';
import { RequestVerifier } from '../signing/verify';
import { readAll } from './peer-errors';
import { PeerClient } from './peer-client';

const manager = generateKeyPairSync('ed25519');
const verifier = new RequestVerifier({
  selfId: 'orchestrator',
  nonces: new MemoryNonceStore(),
  callers: [{ id: 'manager', publicKey: manager.publicKey, allowedRoutes: [{ prefix: '/' }] }],
});

/** What the spec's peer saw of the last request: whether its signature verified, and its headers. */
interface Seen {
  caller: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Route = (request: IncomingMessage, response: ServerResponse, seen: Seen) => void | Promise<void>;

const routes = new Map<string, Route>();
const upgradeSeen: Seen[] = [];
let server: Server;
let baseUrl: string;
let deadPort: number;

/** A real peer: every request's signature is checked as the orchestrator checks it, then routed by path. */
beforeAll(async () => {
  const sockets = new WebSocketServer({ noServer: true });
  server = createServer((request, response) => {
    void (async () => {
      // A streamed upload is signed with an empty digest; a JSON one with its text.
      const isJson = request.headers['content-type'] === 'application/json';
      const body = isJson ? await readAll(request) : '';
      const seen = { caller: await verify(request, body), headers: request.headers, body };
      const route = routes.get((request.url ?? '').split('?')[0] ?? '');
      if (route) await route(request, response, seen);
      else sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No such route.' } });
    })().catch((error: unknown) => sendJson(response, 401, { error: { code: 'SIGNATURE_INVALID', message: String(error) } }));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    void verify(request, '').then((caller) => {
      upgradeSeen.push({ caller, headers: request.headers, body: '' });
      if (request.url?.startsWith('/ws/refused')) {
        const body = JSON.stringify({ error: { code: 'SHELL_TOKEN_INVALID', message: 'That token was used already.' } });
        socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      } else if (request.url?.startsWith('/ws/proxy')) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 9\r\n\r\n<h1>?</h1');
      } else {
        // Sent with the 101 answer: the client must not miss it.
        sockets.handleUpgrade(request, socket, head, (ws) => ws.send('hello'));
      }
    });
  });
  baseUrl = await listen(server);
  const dead = createServer();
  deadPort = Number(new URL(await listen(dead)).port);
  await new Promise((resolve) => dead.close(resolve));
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function client(overrides: Partial<ConstructorParameters<typeof PeerClient>[0]> = {}): PeerClient {
  return new PeerClient({ baseUrl, callerId: 'manager', audience: 'orchestrator', privateKey: manager.privateKey, ...overrides });
}

async function verify(request: IncomingMessage, body: string): Promise<string> {
  return verifier.verify({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function listen(target: Server): Promise<string> {
  return new Promise((resolve) =>
    target.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(target.address() as AddressInfo).port}`)),
  );
}

async function failure(promise: Promise<unknown>): Promise<DaisError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DaisError);
  return error as DaisError;
}

const echo = z.object({ got: z.unknown() });

describe('PeerClient JSON calls', () => {
  it('signs each request so the peer verifies it, and forwards the correlation id of the work in progress', async () => {
    let last: Seen | undefined;
    routes.set('/echo', (_request, response, seen) => {
      last = seen;
      sendJson(response, 200, { got: JSON.parse(seen.body || 'null') });
    });
    const peer = client();
    await expect(
      withCorrelationId('op-42', () => peer.call({ method: 'POST', path: '/echo', body: { a: 1 }, response: echo })),
    ).resolves.toEqual({
      got: { a: 1 },
    });
    expect(last?.caller).toBe('manager');
    expect(last?.headers[CORRELATION_HEADER]).toBe('op-42');
    await peer.call({ method: 'GET', path: '/echo?x=1', response: echo });
    expect(last?.headers[CORRELATION_HEADER]).toBeUndefined();
    peer.close();
  });

  it("passes the peer's coded error through, details and all, and turns its INTERNAL into PEER_ERROR", async () => {
    routes.set('/conflict', (_request, response) =>
      sendJson(response, 409, { error: { code: 'FILE_EXISTS', message: 'Already there.', details: { path: '/a' } } }),
    );
    routes.set('/internal', (_request, response) => sendJson(response, 500, { error: { code: 'INTERNAL', message: 'Unexpected error.' } }));
    const conflict = await failure(client().call({ method: 'GET', path: '/conflict', response: echo }));
    expect([conflict.code, conflict.message, conflict.details]).toEqual(['FILE_EXISTS', 'Already there.', { path: '/a' }]);
    expect((await failure(client().call({ method: 'GET', path: '/internal', response: echo }))).code).toBe('PEER_ERROR');
  });

  it("names the status and what was said when the answer is not a Dais error (a balancer's page, an unknown code)", async () => {
    routes.set('/html', (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    });
    routes.set('/odd', (_request, response) => sendJson(response, 403, { error: { code: 'LB_DENIED', message: 'No certificate.' } }));
    const html = await failure(client({ name: 'the orchestrator' }).call({ method: 'GET', path: '/html', response: echo }));
    expect([html.code, html.message]).toEqual(['PEER_ERROR', 'The orchestrator answered HTTP 502 to GET /html without a Dais error body.']);
    const odd = await failure(client({ name: 'the manager' }).call({ method: 'GET', path: '/odd', response: echo }));
    expect([odd.code, odd.message]).toEqual(['PEER_ERROR', 'The manager answered HTTP 403 to GET /odd: LB_DENIED No certificate.']);
  });

  it('refuses an answer that does not match the contract', async () => {
    routes.set('/wrong', (_request, response) => sendJson(response, 200, { unexpected: true }));
    const wrong = await failure(client().call({ method: 'GET', path: '/wrong', response: z.object({ id: z.number() }) }));
    expect(wrong.code).toBe('PEER_ERROR');
    expect(wrong.message).toMatch(/does not match the contract for GET \/wrong/);
  });

  it('says PEER_UNAVAILABLE, with the reason, when the peer is down or too slow', async () => {
    const down = await failure(client({ baseUrl: `http://127.0.0.1:${deadPort}` }).call({ method: 'GET', path: '/x', response: echo }));
    expect([down.code, down.message]).toEqual([
      'PEER_UNAVAILABLE',
      `Could not reach orchestrator (http://127.0.0.1:${deadPort}): ECONNREFUSED.`,
    ]);
    routes.set('/never', () => undefined);
    const slow = await failure(client({ timeoutMs: 50 }).call({ method: 'GET', path: '/never', response: echo }));
    expect([slow.code, slow.message]).toEqual(['PEER_UNAVAILABLE', `Could not reach orchestrator (${baseUrl}): timed out.`]);
  });
});

describe('PeerClient streams', () => {
  it('hands each NDJSON line over as it arrives, and says PEER_UNAVAILABLE when the peer goes away midway', async () => {
    routes.set('/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"n":1}\n{"n"');
      response.end(':2}\n{"n":3}');
    });
    const events: unknown[] = [];
    await client().stream(
      { method: 'POST', path: '/events', body: {}, response: z.object({ n: z.number() }) },
      (event) => void events.push(event),
      5_000,
    );
    expect(events).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    routes.set('/broken', (_request, response) => {
      response.writeHead(200).write('{"n":1}\n');
      setImmediate(() => response.socket?.destroy());
    });
    const lost = await failure(
      client().stream({ method: 'GET', path: '/broken', response: z.object({ n: z.number() }) }, () => undefined, 5_000),
    );
    expect(lost.code).toBe('PEER_UNAVAILABLE');
  });

  it('uploads a stream no faster than the peer reads it, signed with an empty digest', async () => {
    const total = 32 * 1024 * 1024;
    let sent = 0;
    const expected = createHash('sha256');
    const source = new Readable({
      read() {
        const chunk = Buffer.alloc(Math.min(64 * 1024, total - sent), sent % 251);
        sent += chunk.length;
        expected.update(chunk);
        this.push(chunk.length > 0 ? chunk : null);
      },
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    routes.set('/upload', async (request, response, seen) => {
      request.pause();
      await released;
      const received = createHash('sha256');
      for await (const chunk of request) received.update(chunk as Buffer);
      sendJson(response, 200, { got: { caller: seen.caller, sha256: received.digest('hex') } });
    });
    const answer = client().transfer({
      method: 'PUT',
      path: '/upload?sha256=x',
      body: { upload: { body: source, contentType: 'application/octet-stream', length: total } },
      idleTimeoutMs: 10_000,
    });
    // The peer reads nothing: the source stops being read once the socket and buffers are full.
    await expect.poll(() => source.readableFlowing === false && source.readableLength > 0, { timeout: 5_000 }).toBe(true);
    expect(sent).toBeLessThan(total / 2);
    release();
    const response = await answer;
    expect(JSON.parse(await readAll(response))).toEqual({ got: { caller: 'manager', sha256: expected.digest('hex') } });
  });

  it('downloads a stream no faster than the caller reads it', async () => {
    const total = 32 * 1024 * 1024;
    let written = 0;
    let blocked = false;
    const expected = createHash('sha256');
    routes.set('/download', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
      const writeMore = () => {
        while (written < total) {
          const chunk = Buffer.alloc(64 * 1024, written % 251);
          written += chunk.length;
          expected.update(chunk);
          if (!response.write(chunk)) {
            blocked = true;
            response.once('drain', writeMore);
            return;
          }
        }
        response.end();
      };
      writeMore();
    });
    const response = await client().transfer({ method: 'GET', path: '/download', idleTimeoutMs: 10_000 });
    response.pause();
    await expect.poll(() => blocked, { timeout: 5_000 }).toBe(true);
    expect(written).toBeLessThan(total / 2);
    const received = createHash('sha256');
    for await (const chunk of response) received.update(chunk as Buffer);
    expect(received.digest('hex')).toBe(expected.digest('hex'));
    expect(response.headers['content-length']).toBe(String(total));
  });

  it('decodes a refused transfer like a refused call', async () => {
    routes.set('/full', (_request, response) => sendJson(response, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Too big.' } }));
    const refused = await failure(client().transfer({ method: 'POST', path: '/full', body: { json: { a: 1 } }, idleTimeoutMs: 5_000 }));
    expect([refused.code, refused.message]).toEqual(['PAYLOAD_TOO_LARGE', 'Too big.']);
  });
});

describe('PeerClient websocket upgrades', () => {
  it('signs the upgrade, sends extra headers, and attaches listeners before the first message can arrive', async () => {
    const first = await withCorrelationId('op-7', () =>
      client().upgrade('/ws/live?tail=1', { 'x-extra': 'token' }, (socket) => {
        return new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString('utf8')))).finally(() =>
          socket.close(),
        );
      }),
    );
    expect(first).toBe('hello');
    const seen = upgradeSeen.at(-1);
    expect([seen?.caller, seen?.headers['x-extra'], seen?.headers[CORRELATION_HEADER]]).toEqual(['manager', 'token', 'op-7']);
  });

  it("decodes a refused upgrade: the peer's code, a proxy's page, a peer that is down", async () => {
    const refused = await failure(client().upgrade('/ws/refused', {}, () => undefined));
    expect([refused.code, refused.message]).toEqual(['SHELL_TOKEN_INVALID', 'That token was used already.']);
    const proxy = await failure(client({ name: "the site's host" }).upgrade('/ws/proxy', {}, () => undefined));
    expect([proxy.code, proxy.message]).toEqual([
      'PEER_ERROR',
      "The site's host answered HTTP 502 to the upgrade to /ws/proxy without a Dais error body.",
    ]);
    const down = await failure(client({ baseUrl: `http://127.0.0.1:${deadPort}` }).upgrade('/ws/live', {}, () => undefined));
    expect(down.code).toBe('PEER_UNAVAILABLE');
  });
});
