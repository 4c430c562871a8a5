import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CORRELATION_HEADER, correlationHeaders, currentLogContext } from '../logging/correlation';
import { createLogger } from '../logging/logger';
import { correlateRequests } from './correlate-requests';

/** A server whose handlers log and answer what their context is, as a component's would. */
async function correlatedServer(): Promise<{ app: FastifyInstance; base: string; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ component: 'orchestrator', level: 'debug', destination });
  const app = Fastify();
  correlateRequests(app, { log, callerOf: (request) => (request.headers['x-test-caller'] as string | undefined) ?? '' });
  app.post('/v1/sites/:id', async (request) => {
    // After the body was read, and after an await: the handler's own work stays in the request's context.
    await new Promise<void>((resolve) => setImmediate(resolve));
    log.info({ bytes: JSON.stringify(request.body).length }, 'site spec stored');
    return { context: currentLogContext(), outgoing: correlationHeaders() };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, base: `http://127.0.0.1:${address.port}`, lines };
}

describe('correlateRequests', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const post = (base: string, headers: Record<string, string>) =>
    fetch(`${base}/v1/sites/7?token=not-logged`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'blog', padding: 'x'.repeat(200_000) }),
    });

  it("runs the handler under the peer's id, with its caller: in its log lines, its outgoing requests and the answer", async () => {
    const server = await correlatedServer();
    app = server.app;
    const answer = await post(server.base, { [CORRELATION_HEADER]: 'op-42.create', 'x-test-caller': 'manager' });
    expect(answer.headers.get(CORRELATION_HEADER)).toBe('op-42.create');
    expect(await answer.json()).toEqual({
      context: { correlationId: 'op-42.create', caller: 'manager' },
      outgoing: { [CORRELATION_HEADER]: 'op-42.create' },
    });
    await expect.poll(() => server.lines.length).toBe(2);
    expect(server.lines[0]).toMatchObject({
      msg: 'site spec stored',
      correlationId: 'op-42.create',
      caller: 'manager',
      component: 'orchestrator',
    });
    expect(server.lines[1]).toMatchObject({
      level: 'debug',
      msg: 'answered',
      correlationId: 'op-42.create',
      caller: 'manager',
      method: 'POST',
      path: '/v1/sites/7',
      status: 200,
    });
    expect(JSON.stringify(server.lines)).not.toContain('not-logged');
  });

  it('gives a request without an id, or with one that could forge log text, a new one', async () => {
    const server = await correlatedServer();
    app = server.app;
    const ids: string[] = [];
    for (const headers of [{}, { [CORRELATION_HEADER]: 'x"}\t{"level":"fatal' }] as Record<string, string>[]) {
      const answer = await post(server.base, headers);
      const body = (await answer.json()) as { context: { correlationId: string; caller?: string } };
      expect(body.context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.context).not.toHaveProperty('caller');
      expect(answer.headers.get(CORRELATION_HEADER)).toBe(body.context.correlationId);
      ids.push(body.context.correlationId);
    }
    expect(new Set(ids).size).toBe(2);
    expect(JSON.stringify(server.lines)).not.toContain('fatal');
  });
});
