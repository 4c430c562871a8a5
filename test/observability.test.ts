import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { freePort } from './support/ports';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

type Readiness = { status: string; checks: Record<string, { ok: boolean; error?: string }>; failed: string[] };

/** Whether something listens on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A Redis of this test's own, so the test can take it away from the manager and bring it back. */
class PrivateRedis {
  private process: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.process && this.process.exitCode === null) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir], {
      stdio: 'ignore',
    });
    this.process = child;
    const up = await eventually(() => accepts(this.port), Boolean, 10_000);
    if (!up) throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }
}

describe('observability: health, readiness, metrics and API docs', () => {
  let stack: TestStack;
  let redis: PrivateRedis;
  let redisDir: { path: string; remove(): Promise<void> };
  const manager = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${stack.ports.manager}${path}`, init);
  const metrics = async () => (await manager('/metrics')).text();

  beforeAll(async () => {
    redisDir = await tempDir('observability-redis');
    redis = new PrivateRedis(await freePort(), redisDir.path);
    await redis.start();
    // Two attempts: an operation whose orchestrator is away fails in seconds, not minutes.
    stack = await TestStack.start('observability', { env: { REDIS_URL: redis.url, DAIS_OPERATION_ATTEMPTS: '2' } });
  });

  afterAll(async () => {
    await redis.start().catch(() => undefined);
    await stack.stop();
    await redis.stop();
    await redisDir.remove();
  });

  it('says the process is up on /health and on the older /healthz, without a token', async () => {
    for (const path of ['/health', '/healthz']) {
      const answer = await manager(path);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ status: 'ok', role: 'all' });
    }
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const answer = await manager('/ready');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      status: 'ready',
      checks: { postgresql: { ok: true }, redis: { ok: true } },
      failed: [],
    });
  });

  it('times requests by route pattern, never by the raw path', async () => {
    expect((await stack.api('GET', '/api/sites')).status).toBe(200);
    expect((await stack.api('GET', '/api/sites/424242')).status).toBe(404);
    expect((await manager('/no-such-path-7f3a')).status).toBe(404);
    const text = await metrics();
    expect(text).toContain('# TYPE dais_http_request_duration_seconds histogram');
    expect(text).toMatch(/dais_http_request_duration_seconds_count\{method="GET",route="\/api\/sites",status="200"\} [1-9]/);
    expect(text).toMatch(/dais_http_request_duration_seconds_count\{method="GET",route="\/api\/sites\/:id",status="404"\} [1-9]/);
    expect(text).toMatch(/dais_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(text).not.toContain('424242');
    expect(text).not.toContain('no-such-path-7f3a');
  });

  it('reports the queue depth, operations by state and the process metrics', async () => {
    const text = await metrics();
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(text).toMatch(new RegExp(`dais_queue_jobs\\{state="${state}"\\} \\d+`));
    expect(text).toMatch(/dais_operations\{state="failed"\} 0/);
    expect(text).toMatch(/dais_metrics_source_up\{source="redis"\} 1/);
    expect(text).toMatch(/process_cpu_user_seconds_total \d/);
    expect(text).toMatch(/nodejs_heap_size_used_bytes \d/);
  });

  it('counts a failed operation until it is retried', async () => {
    await stack.stopProcess('orchestrator');
    let operationId = 0;
    try {
      const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'unlucky' });
      expect(created.status).toBe(202);
      operationId = created.json.operation?.id ?? 0;
      expect((await stack.waitForOperation<OperationView>(operationId, undefined, 60_000)).state).toBe('failed');
      expect(await metrics()).toMatch(/dais_operations\{state="failed"\} 1/);
    } finally {
      stack.startProcess('orchestrator');
    }
    // Unsigned calls get 401 once the orchestrator listens again.
    await eventually(
      () =>
        fetch(`http://127.0.0.1:${stack.ports.orchestrator}/v1/health`).then(
          (answer) => answer.status,
          () => 0,
        ),
      (status) => status === 401,
      30_000,
      100,
    );
    expect((await stack.api('POST', `/api/operations/${operationId}/retry`)).status).toBe(202);
    expect((await stack.waitForOperation<OperationView>(operationId, undefined, 60_000)).state).toBe('succeeded');
    const text = await metrics();
    expect(text).toMatch(/dais_operations\{state="failed"\} 0/);
    expect(text).toMatch(/dais_operations\{state="succeeded"\} [1-9]/);
  });

  it('serves the interactive API docs and their assets from the installed package, without a token', async () => {
    const page = await manager('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets).toEqual(expect.arrayContaining(['/api/docs/swagger-ui.css', '/api/docs/swagger-ui-bundle.js']));
    const expected: Record<string, string> = { css: 'text/css', js: 'text/javascript', png: 'image/png' };
    for (const asset of assets) {
      const answer = await manager(asset);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('content-type'), asset).toContain(expected[asset.split('.').pop() ?? ''] ?? 'unknown');
      expect((await answer.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    const initializer = await (await manager('/api/docs/dais-initializer.js')).text();
    expect(initializer).toContain("url: '/api/openapi.json'");
    expect((await manager('/api/openapi.json')).status).toBe(200);
    expect((await (await manager('/api/docs/swagger-ui-bundle.js')).text()).length).toBeGreaterThan(100_000);
  });

  it('serves nothing else of the package, and no path outside it', async () => {
    for (const path of [
      '/api/docs/package.json',
      '/api/docs/index.html',
      '/api/docs/..%2Fpackage.json',
      '/api/docs/%2e%2e%2f%2e%2e%2fpackage.json',
    ]) {
      expect((await manager(path)).status, path).toBe(404);
    }
  });

  it('is not ready, naming Redis, while Redis is down; healthy and scrapable all the same; ready again when it is back', async () => {
    await redis.stop();
    const down = await manager('/ready');
    expect(down.status).toBe(503);
    const body = (await down.json()) as Readiness;
    expect(body).toMatchObject({ status: 'unavailable', failed: ['redis'], checks: { postgresql: { ok: true }, redis: { ok: false } } });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|\n\s+at /);
    expect((await manager('/health')).status).toBe(200);
    const scrape = await manager('/metrics');
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/dais_metrics_source_up\{source="redis"\} 0/);

    await redis.start();
    const back = await eventually(
      () => manager('/ready').then((answer) => answer.status),
      (status) => status === 200,
      20_000,
      200,
    );
    expect(back).toBe(200);
    // Ready means working: the queue takes and runs operations again. (This also lets the worker
    // reconnect before the stack stops: BullMQ's worker.close() can hang while it is reconnecting.)
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'after-redis' });
    expect(created.status).toBe(202);
    expect((await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0, undefined, 30_000)).state).toBe('succeeded');
  });
});
