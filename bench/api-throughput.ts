// How many `GET /api/sites` can the manager answer per second with 1,000 sites, and how slow is
// its slowest 1 %? Beside it, in the same run, the floor: a bare Fastify route answering the same
// JSON. Usage: npm run bench:api -- [seconds per case] [connections]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import Fastify from 'fastify';
import { serviceRuntime, type SiteView } from '@dais/shared';
import { REPO_ROOT } from '../test/support/dev-env';
import { TestStack } from '../test/support/stack';
import { describeConditions } from './conditions';
import { cpuMs, requirePid } from './support/process-stats';
import { seedSites } from './support/seeded-sites';

const DURATION_S = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const WARMUP_S = 2;
const SITES = 1000;
/** The plain user is a member of every 10th site: 100 of the 1,000. */
const MEMBER_EVERY = 10;

interface SitePage {
  sites: SiteView[];
  nextCursor: number | null;
}

/** One thing to load: a URL with its credentials, served by the process `pid` (for CPU per request). */
interface Case {
  label: string;
  url: string;
  token?: string;
  pid: number;
}

interface Measured {
  label: string;
  result: Result;
  requests: number;
  cpuMsPerRequest: number | null;
  bytesPerAnswer: number;
}

const run = promisify(execFile);

/** A new plain user's API token, made with the admin command line as an operator would. */
async function userToken(stack: TestStack, username: string): Promise<string> {
  const cli = join(REPO_ROOT, 'apps/manager/dist/cli/admin.js');
  const { stdout } = await run(process.execPath, [cli, 'create-token', '--username', username], { env: { ...process.env, ...stack.env } });
  return stdout.trim();
}

async function userId(stack: TestStack, username: string): Promise<number> {
  const row = (await stack.database.query<{ id: number }>('SELECT id FROM "User" WHERE username = $1', [username]))[0];
  if (!row) throw new Error(`no user ${username}`);
  return row.id;
}

/** Fetches a page and checks it holds what the seed put there, so the load runs against real answers. */
async function checkedPage(stack: TestStack, limit: number, token: string, expected: { count: number; more: boolean }): Promise<SitePage> {
  const answer = await stack.api<SitePage>('GET', `/api/sites?limit=${limit}`, undefined, token);
  if (answer.status !== 200) throw new Error(`GET /api/sites?limit=${limit} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
  const { sites, nextCursor } = answer.json;
  if (sites.length !== expected.count || (nextCursor !== null) !== expected.more || sites.some((site) => site.operation === null))
    throw new Error(
      `GET /api/sites?limit=${limit} gave ${sites.length} sites (cursor ${nextCursor}), expected ${JSON.stringify(expected)}`,
    );
  return answer.json;
}

/** The floor in its own process, like the manager: Fastify serializing the same object on every request. */
async function startBareServer(body: unknown): Promise<{ child: ChildProcess; port: number }> {
  const code = `
    const app = require('fastify')();
    process.once('message', (body) => {
      app.get('/api/sites', async () => body);
      app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.send(app.server.address().port));
    });`;
  // With the manager's Node flags and allocator settings, so only the work differs.
  const runtime = serviceRuntime('manager');
  const child = spawn(process.execPath, [...runtime.nodeArgs, '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...runtime.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)));
    child.once('exit', (status) => reject(new Error(`the bare server exited (${status})`)));
    child.send(body as object);
  });
  return { child, port };
}

/** The floor in this very process: it shares one event loop (one core) with autocannon's clients. */
async function startInProcessServer(body: unknown): Promise<{ close: () => Promise<void>; port: number }> {
  const app = Fastify();
  app.get('/api/sites', () => Promise.resolve(body));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { close: () => app.close(), port: address.port };
}

/** Warms up, then loads one case; fails loudly on any error or non-2xx answer. */
async function measure(target: Case): Promise<Measured> {
  const headers: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  await autocannon({ url: target.url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const cpuBefore = target.pid > 0 ? cpuMs(target.pid) : null;
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: DURATION_S, headers });
  const cpuAfter = target.pid > 0 ? cpuMs(target.pid) : null;
  const requests = result.requests.total;
  const measured: Measured = {
    label: target.label,
    result,
    requests,
    cpuMsPerRequest: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / requests,
    bytesPerAnswer: result.throughput.total / requests,
  };
  console.log(row(measured));
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.mismatches > 0 || requests === 0)
    throw new Error(`${target.label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  return measured;
}

function row(m: Measured): string {
  const l = m.result.latency;
  const cells = [
    m.label.padEnd(48),
    (m.requests / m.result.duration).toFixed(0).padStart(7),
    `${l.p50} ms`.padStart(7),
    `${l.p97_5} ms`.padStart(7),
    `${l.p99} ms`.padStart(7),
    `${l.max} ms`.padStart(7),
    String(m.result.errors + m.result.timeouts).padStart(6),
    String(m.result.non2xx).padStart(7),
    `${(m.bytesPerAnswer / 1024).toFixed(1)} KB`.padStart(9),
    (m.cpuMsPerRequest === null ? '-' : `${m.cpuMsPerRequest.toFixed(2)} ms`).padStart(10),
  ];
  return cells.join(' ');
}

const HEADER = [
  'case'.padEnd(48),
  'req/s'.padStart(7),
  'p50'.padStart(7),
  'p97.5'.padStart(7),
  'p99'.padStart(7),
  'max'.padStart(7),
  'errors'.padStart(6),
  'non-2xx'.padStart(7),
  'answer'.padStart(9),
  'server CPU'.padStart(10),
].join(' ');

async function main(): Promise<void> {
  const stack = await TestStack.start('bench-api', { env: { DAIS_LOG_LEVEL: 'error' } });
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const bob = await userToken(stack, 'bob');
    await seedSites(stack, {
      sites: SITES,
      ownerId: await userId(stack, 'admin'),
      memberId: await userId(stack, 'bob'),
      memberEvery: MEMBER_EVERY,
    });
    const admin = stack.adminToken;
    const sample = await checkedPage(stack, 50, admin, { count: 50, more: true });
    await checkedPage(stack, 50, bob, { count: 50, more: true });
    await checkedPage(stack, 200, bob, { count: SITES / MEMBER_EVERY, more: false });
    await checkedPage(stack, 200, admin, { count: 200, more: true });
    const bare = await startBareServer(sample);
    closers.push(() => void bare.child.kill());
    const inProcess = await startInProcessServer(sample);
    closers.push(inProcess.close);
    const manager = requirePid(stack.pidOf('manager'), 'manager');
    const api = `http://127.0.0.1:${stack.ports.manager}/api/sites`;
    console.log(`benchmark: GET /api/sites with ${SITES} sites, manager vs a bare Fastify route`);
    console.log(describeConditions());
    console.log(
      `load:     autocannon, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up then ${DURATION_S} s per case, one case at a time; ` +
        'autocannon, the manager (API + worker in one process), PostgreSQL and the bare servers all share this machine',
    );
    console.log(HEADER);
    const results = [
      await measure({ label: '(a) manager, admin, limit=50', url: `${api}?limit=50`, token: admin, pid: manager }),
      await measure({
        label: `(b) manager, member of ${SITES / MEMBER_EVERY}, limit=50`,
        url: `${api}?limit=50`,
        token: bob,
        pid: manager,
      }),
      await measure({ label: '(c) manager, admin, limit=200', url: `${api}?limit=200`, token: admin, pid: manager }),
      await measure({
        label: '(d) bare Fastify, own process, answer of (a)',
        url: `http://127.0.0.1:${bare.port}/api/sites`,
        pid: bare.child.pid ?? 0,
      }),
      await measure({
        label: '(e) bare Fastify, inside the benchmark process',
        url: `http://127.0.0.1:${inProcess.port}/api/sites`,
        pid: 0,
      }),
    ];
    printRatios(results);
  } finally {
    for (const close of closers) await close();
    await stack.stop();
  }
}

function printRatios([a, , , d]: Measured[]): void {
  if (!a || !d) return;
  const rate = (m: Measured) => m.requests / m.result.duration;
  console.log(
    `ratio (a)/(d): ${(rate(a) / rate(d)).toFixed(3)}× the requests per second, p50 ${(a.result.latency.p50 / d.result.latency.p50).toFixed(1)}×, ` +
      `p99 ${(a.result.latency.p99 / d.result.latency.p99).toFixed(1)}× the floor's latency`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
