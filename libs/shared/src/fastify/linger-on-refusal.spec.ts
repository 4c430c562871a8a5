import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { lingerOnRefusedBody, type LingerLimits } from './linger-on-refusal';

const BODY_LIMIT = 1024;

async function serverWith(limits?: LingerLimits): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ bodyLimit: BODY_LIMIT, forceCloseConnections: true });
  if (limits) lingerOnRefusedBody(app, limits);
  app.post('/echo', (request) => request.body);
  app.get('/ping', () => ({ pong: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

/** A raw HTTP/1.1 client: everything the server sends, and whether it closed the connection. */
function rawClient(port: number): {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  waitFor: (text: string) => Promise<void>;
} {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitFor = async (text: string): Promise<void> => {
    for (let i = 0; i < 200 && !data.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!data.includes(text)) throw new Error(`never received ${JSON.stringify(text)}; got ${JSON.stringify(data)}`);
  };
  return { socket, received: () => data, closed, waitFor };
}

const oversizedHead = (length: number) =>
  `POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('lingerOnRefusedBody', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('lets a client that is still sending finish its body and read the 413 (and keep using the connection)', async () => {
    const server = await serverWith({ maxMs: 5_000, maxBytes: 1024 * 1024 });
    app = server.app;
    const client = rawClient(server.port);
    client.socket.write(oversizedHead(200_000));
    await client.waitFor('413');
    // The answer came before the body: a client that sends its body now must not be cut off.
    const written = new Promise<Error | null | undefined>((resolve) => client.socket.write(Buffer.alloc(200_000, 'x'), resolve));
    expect(await written).toBeFalsy();
    client.socket.write('GET /ping HTTP/1.1\r\nHost: test\r\n\r\n');
    await client.waitFor('{"pong":true}');
    expect(client.received()).not.toMatch(/connection: close/i);
    client.socket.destroy();
  });

  it('without it, the refused client is cut off (the failure this guards against)', async () => {
    const server = await serverWith();
    app = server.app;
    const client = rawClient(server.port);
    client.socket.write(oversizedHead(200_000));
    await client.waitFor('413');
    await client.closed;
    expect(client.received()).toMatch(/connection: close/i);
  });

  it('closes a connection whose body never comes, after maxMs', async () => {
    const server = await serverWith({ maxMs: 200, maxBytes: 1024 * 1024 });
    app = server.app;
    const client = rawClient(server.port);
    const started = Date.now();
    client.socket.write(oversizedHead(200_000));
    await client.waitFor('413');
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('does not wait for a body announced past maxBytes', async () => {
    const server = await serverWith({ maxMs: 5_000, maxBytes: 100_000 });
    app = server.app;
    const client = rawClient(server.port);
    client.socket.write(oversizedHead(10_000_000));
    await client.waitFor('413');
    await client.closed;
    expect(client.received()).toMatch(/connection: close/i);
  });

  it('fetch reads the 413 every time, and bodies within the limit still work', async () => {
    const server = await serverWith({ maxMs: 5_000, maxBytes: 1024 * 1024 });
    app = server.app;
    for (let i = 0; i < 20; i++) {
      const tooLarge = await fetch(`http://127.0.0.1:${server.port}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(tooLarge.status).toBe(413);
      await tooLarge.arrayBuffer();
    }
    const small = await fetch(`http://127.0.0.1:${server.port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await small.json()).toEqual({ a: 1 });
  });
});
