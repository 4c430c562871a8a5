// What does the router's hop cost? Requests per second and latency of a static file fetched
// through router → orchestrator → site folder, beside a plain nginx serving the same file from the
// same folder, in the same run (targets: ≥ 0.5× direct, p99 overhead ≤ 2 ms). Then the router's
// nginx memory (PSS) with 10,000 routed sites, sent through its signed API as the manager sends them.
// Usage: npm run bench:router -- [seconds per case] [connections] [routed sites]
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import type { OperationView, SiteView } from '@dais/shared';
import { startPlainNginx, type PlainNginx } from '../test/support/plain-nginx';
import { freePorts } from '../test/support/ports';
import { signedFetch } from '../test/support/signed-fetch';
import { TestStack } from '../test/support/stack';
import { describeConditions } from './conditions';
import { settledNginxMemory } from './support/nginx-memory';

const DURATION_S = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const ROUTED_SITES = Number(process.argv[4] ?? 10_000);
const WARMUP_S = 2;
const PAGE = `<!doctype html><title>bench</title><p>${'router bench '.repeat(40)}</p>\n`;

interface Case {
  label: string;
  url: string;
  host: string;
}

/** A plain nginx serving the site's public folder: the floor the router's hop is compared with. */
function startDirectNginx(root: string, port: number): Promise<PlainNginx> {
  return startPlainNginx(
    'bench-direct-nginx',
    () => `    server {
        listen 127.0.0.1:${port};
        access_log off;
        root ${root};
        location / { try_files $uri $uri/index.html =404; }
    }`,
  );
}

async function measure(target: Case): Promise<Result> {
  const headers = { host: target.host };
  await autocannon({ url: target.url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: DURATION_S, headers });
  // A connection error now and then (a keep-alive connection closed as a request went out) is
  // reported; more than one in a thousand, or any non-2xx answer, fails the run.
  if (result.errors > result.requests.total / 1000 || result.timeouts > 0 || result.non2xx > 0 || result.requests.total === 0)
    throw new Error(`${target.label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  const l = result.latency;
  console.log(
    `${target.label.padEnd(40)} ${(result.requests.total / result.duration).toFixed(0).padStart(7)} req/s   p50 ${l.p50} ms   p99 ${l.p99} ms   ` +
      `(${result.requests.total} requests, ${result.errors} connection errors)`,
  );
  return result;
}

/** Sends `count` routes to the router as the manager would, `parallel` at a time; returns the seconds it took. */
async function routeSites(stack: TestStack, count: number, parallel: number): Promise<number> {
  const signer = stack.signer('manager', 'router');
  const base = `http://127.0.0.1:${stack.ports.router}`;
  const started = Date.now();
  let next = 100_000;
  const last = next + count;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < last) {
        const siteId = next++;
        const spec = { siteId, hostnames: [`s${siteId}.dais.localhost`, `www.s${siteId}.example.org`] };
        const answer = await signedFetch(base, signer, 'PUT', `/v1/routes/${siteId}`, { body: spec });
        if (answer.status !== 200) throw new Error(`route ${siteId}: ${answer.status} ${JSON.stringify(answer.json)}`);
      }
    }),
  );
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  console.log(describeConditions());
  const stack = await TestStack.start('bench-router');
  let direct: PlainNginx | undefined;
  try {
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'bench' });
    await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0);
    const publicDir = join(stack.stateDir, 'orchestrator/data/sites', String(created.json.id), 'public');
    await writeFile(join(publicDir, 'index.html'), PAGE);
    const [directPort] = (await freePorts(1)) as [number];
    direct = await startDirectNginx(publicDir, directPort);
    console.log(
      `\nfile: ${Buffer.byteLength(PAGE)} bytes; autocannon, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up, ${DURATION_S} s per case`,
    );
    const viaRouter = await measure({
      label: 'router → orchestrator → file',
      url: `http://127.0.0.1:${stack.ports.edge}/`,
      host: 'bench.dais.localhost',
    });
    const plain = await measure({
      label: 'nginx serving the file directly',
      url: `http://127.0.0.1:${directPort}/`,
      host: 'bench.dais.localhost',
    });
    const ratio = viaRouter.requests.total / viaRouter.duration / (plain.requests.total / plain.duration);
    console.log(`ratio:    ${ratio.toFixed(2)}× direct (target ≥ 0.5×)`);
    console.log(`p99 hop:  +${(viaRouter.latency.p99 - plain.latency.p99).toFixed(2)} ms (target ≤ 2 ms)`);

    const seconds = await routeSites(stack, ROUTED_SITES, 32);
    const pid = Number((await readFile(join(stack.stateDir, 'router/nginx/run/nginx.pid'), 'utf8')).trim());
    const memory = await settledNginxMemory(pid);
    console.log(`\nrouted:   ${ROUTED_SITES} sites (2 hostnames each) through PUT /v1/routes in ${seconds.toFixed(1)} s, 32 at a time`);
    console.log(`memory:   router nginx PSS ${(memory.pssBytes / 2 ** 20).toFixed(1)} MiB over ${memory.processes} processes`);
  } finally {
    await direct?.stop();
    await stack.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
