import { randomBytes } from 'node:crypto';
import { CORRELATION_HEADER, type OperationView, type SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { TestStack, type StackProcess } from './support/stack';

type LogLine = Record<string, unknown>;

describe('one operation followed across manager, orchestrator and router logs by its correlation id', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // debug: the orchestrator and router log one line per answered control call only at debug.
    stack = await TestStack.start('correlation', { env: { DAIS_LOG_LEVEL: 'debug' } });
  });

  afterAll(async () => {
    await stack.stop();
  });

  /**
   * A component's log, line by line, parsed. Node's own warnings (a deprecation in a library), which
   * Node writes to standard error itself, are the only lines that are not the shared JSON.
   */
  function linesOf(name: StackProcess): LogLine[] {
    const nodeWarning = /^\(node:\d+\) |^\(Use `node --trace-/;
    return stack
      .logOf(name)
      .split('\n')
      .filter((line) => line.trim() !== '' && !nodeWarning.test(line))
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return { notJson: line };
        }
      });
  }

  /** Polls a component's log until lines with the correlation id satisfy `enough`; returns them. */
  async function linesWith(name: StackProcess, correlationId: string, enough: (lines: LogLine[]) => boolean): Promise<LogLine[]> {
    const lines = () => linesOf(name).filter((line) => line.correlationId === correlationId);
    return eventually(() => Promise.resolve(lines()), enough, 10_000, 100);
  }

  it('creates a site under the id the client sent; every component logs its part of the operation under it', async () => {
    const correlationId = `test-create.${randomBytes(6).toString('hex')}`;
    const created = await fetch(`http://127.0.0.1:${stack.ports.manager}/api/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json', [CORRELATION_HEADER]: correlationId },
      body: JSON.stringify({ name: 'followed' }),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get(CORRELATION_HEADER)).toBe(correlationId);
    const site = (await created.json()) as SiteView;
    const operationId = site.operation?.id ?? 0;
    expect((await stack.waitForOperation<OperationView>(operationId)).state).toBe('succeeded');

    const manager = await linesWith('manager', correlationId, (lines) => lines.some((line) => /succeeded$/.test(String(line.msg))));
    expect(manager).toContainEqual(
      expect.objectContaining({
        component: 'manager',
        level: 'info',
        operationId,
        siteId: site.id,
        msg: `operation ${operationId} (create_site) succeeded`,
      }),
    );
    // The manager's signed calls carried the id: each peer logged its answer to them under it, naming the caller.
    const orchestrator = await linesWith('orchestrator', correlationId, (lines) =>
      lines.some((line) => line.path === `/v1/sites/${site.id}`),
    );
    expect(orchestrator).toContainEqual(
      expect.objectContaining({ component: 'orchestrator', caller: 'manager', method: 'PUT', path: `/v1/sites/${site.id}`, status: 200 }),
    );
    const router = await linesWith('router', correlationId, (lines) => lines.some((line) => line.path === `/v1/routes/${site.id}`));
    expect(router).toContainEqual(
      expect.objectContaining({ component: 'router', caller: 'manager', method: 'PUT', path: `/v1/routes/${site.id}`, status: 200 }),
    );
  });

  it('writes every component log in the one JSON shape, with no credential in it', () => {
    for (const name of ['manager', 'orchestrator', 'router'] as const) {
      const lines = linesOf(name);
      expect(lines.length, name).toBeGreaterThan(0);
      expect(
        lines.filter((line) => 'notJson' in line),
        name,
      ).toEqual([]);
      for (const line of lines) expect(line, name).toMatchObject({ component: name, level: expect.any(String), time: expect.any(String) });
      expect(stack.logOf(name)).not.toContain(stack.adminToken);
    }
  });
});
