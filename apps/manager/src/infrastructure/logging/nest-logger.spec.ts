import { Writable } from 'node:stream';
import { Logger as NestLoggerFacade } from '@nestjs/common';
import { createLogger, withLogContext } from '@dais/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { NestLogger } from './nest-logger';

function captured(level = 'info'): { service: NestLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { service: new NestLogger(createLogger({ component: 'manager', level, destination })), lines };
}

describe('NestLogger', () => {
  afterEach(() => NestLoggerFacade.overrideLogger(true));

  it("turns the manager's `new Logger(Context)` calls into the shared JSON lines, with the work's context", () => {
    const { service, lines } = captured();
    NestLoggerFacade.overrideLogger(service);
    const logger = new NestLoggerFacade('OperationRunner');
    const failure = new Error('peer down');
    withLogContext({ correlationId: 'req-1', operationId: 9, siteId: 3 }, () => {
      logger.log('operation 9 (create_site) succeeded');
      logger.warn('could not announce operation 9');
      logger.error('operation 9: unexpected error', failure.stack);
      logger.error('queue connection: refused');
      logger.debug('not at info');
    });
    expect(
      lines.map(({ level, msg, context, correlationId, operationId, siteId, component }) => ({
        level,
        msg,
        context,
        correlationId,
        operationId,
        siteId,
        component,
      })),
    ).toEqual(
      ['info', 'warn', 'error', 'error'].map((level, index) => ({
        level,
        msg: [
          'operation 9 (create_site) succeeded',
          'could not announce operation 9',
          'operation 9: unexpected error',
          'queue connection: refused',
        ][index],
        context: 'OperationRunner',
        correlationId: 'req-1',
        operationId: 9,
        siteId: 3,
        component: 'manager',
      })),
    );
    expect(String(lines[2]?.stack)).toContain('Error: peer down');
    expect(lines[3]).not.toHaveProperty('stack');
  });

  it("writes Nest's own calls: errors as `err`, objects as fields, verbose with debug", () => {
    const { service, lines } = captured('debug');
    service.error(new TypeError('bad'), 'ExceptionHandler');
    service.log({ routes: 3 }, 'RoutesResolver');
    service.verbose('mapped', 'RouterExplorer');
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'bad', context: 'ExceptionHandler', err: { type: 'TypeError' } });
    expect(lines[1]).toMatchObject({ level: 'info', routes: 3, context: 'RoutesResolver' });
    expect(lines[2]).toMatchObject({ level: 'debug', msg: 'mapped', context: 'RouterExplorer' });
  });
});
