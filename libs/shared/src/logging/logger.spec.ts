import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withCorrelationId, withLogContext } from './correlation';
import { createLogger, type Logger } from './logger';

/** A logger writing into an array of parsed lines. */
function capturedLogger(level = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ component: 'router', level, destination }), lines };
}

describe('createLogger', () => {
  it('writes one JSON line per entry with the level as a word, an ISO time, the component and the message', () => {
    const { log, lines } = capturedLogger();
    log.info({ hostnames: 2 }, 'routes applied');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', component: 'router', hostnames: 2, msg: 'routes applied', pid: process.pid });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[0]).not.toHaveProperty('correlationId');
  });

  it('adds what the work in progress is about, across awaits, and a call’s own fields win', async () => {
    const { log, lines } = capturedLogger();
    await withCorrelationId('req-7', async () => {
      await withLogContext({ siteId: 4, operationId: 12, caller: 'manager' }, async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        log.info('inside');
        log.info({ siteId: 5 }, 'another site');
      });
      log.info('outer');
    });
    log.info('after');
    expect(lines.map((line) => [line.msg, line.correlationId, line.siteId, line.operationId, line.caller])).toEqual([
      ['inside', 'req-7', 4, 12, 'manager'],
      ['another site', 'req-7', 5, 12, 'manager'],
      ['outer', 'req-7', undefined, undefined, undefined],
      ['after', undefined, undefined, undefined, undefined],
    ]);
    // One key each: the call's field replaced the context's, it was not written twice.
    expect(lines.every((line) => Object.keys(line).length === new Set(Object.keys(line)).size)).toBe(true);
  });

  it('never writes credentials, at the top or nested in headers and requests', () => {
    const { log, lines } = capturedLogger();
    log.info(
      {
        authorization: 'Bearer top-secret-1',
        password: 'top-secret-2',
        headers: { authorization: 'Bearer top-secret-3', 'x-dais-signature': 'top-secret-4', accept: 'json' },
        req: { headers: { cookie: 'dais_session=top-secret-5' } },
        user: { token: 'top-secret-6', name: 'alice' },
      },
      'a request',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('top-secret');
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'json' },
      user: { name: 'alice' },
    });
  });

  it('serializes errors with their type, message and stack', () => {
    const { log, lines } = capturedLogger();
    log.error({ err: new TypeError('boom') }, 'failed');
    expect(lines[0]).toMatchObject({ level: 'error', err: { type: 'TypeError', message: 'boom' } });
    expect(String((lines[0]?.err as { stack?: unknown }).stack)).toContain('TypeError: boom');
  });
});
