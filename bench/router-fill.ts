// How long does filling an empty router with every site's routes take? A real router process (its
// own nginx) is filled through the signed `PUT /v1/routes` with 1,000 and 10,000 sites (target:
// 10,000 in ≤ 10 s), beside the per-site way (`PUT /v1/routes/:siteId`, 32 at a time) at 1,000 sites.
// Then where the time of a 10,000-site fill goes, phase by phase, measured in this process.
// Each bulk size runs `runs` times on a fresh router (the machine is shared: one run can land on a busy moment).
// Usage: npm run bench:router-fill -- [sizes, comma-separated] [per-site count] [runs]
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { routeStateDigest, routeStateSchema, serviceRuntime, type RouteSpec } from '@dais/shared';
import { getWithHost } from '../test/support/http';
import { writeComponentKeys } from '../test/support/keys';
import { freePorts } from '../test/support/ports';
import { signedFetch, type TestSigner } from '../test/support/signed-fetch';
import { tempDir } from '../test/support/temp-dir';
import { REPO_ROOT } from '../test/support/dev-env';
import { routeStateOf } from '../apps/router/src/forwarding/route-state';
import { renderEdgeConfig } from '../apps/router/src/nginx/edge-config.render';
import { onCleanup, runCleanups } from './support/cleanup';
import { describeConditions, summarize } from './conditions';
import { settledNginxMemory } from './support/nginx-memory';
import { whenAnswered } from './support/poll';
import { rssMb } from './support/process-stats';

const SIZES = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const PER_SITE_COUNT = Number(process.argv[3] ?? 1000);
const PER_SITE_PARALLEL = 32;
const RUNS = Number(process.argv[4] ?? 3);

/** A site as the manager routes most: its own name, and one verified custom domain with a certificate. */
const siteRoute = (siteId: number): RouteSpec => ({
  siteId,
  hostnames: [`s${siteId}.dais.localhost`, `www.s${siteId}.example.org`],
  certificateHostnames: [`www.s${siteId}.example.org`],
});
const routesOf = (count: number) => Array.from({ length: count }, (_, i) => siteRoute(100_000 + i));

/** One router process with its own state folder, nginx and ports, as `npm start` runs it. */
interface BenchRouter {
  api: string;
  edgePort: number;
  manager: TestSigner;
  process: ChildProcess;
  stateDir: string;
  stop(): Promise<void>;
}

async function startRouter(label: string): Promise<BenchRouter> {
  const dir = await tempDir(`bench-router-fill-${label}`);
  const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'router']);
  const [apiPort, edge, status, upstream] = (await freePorts(4)) as [number, number, number, number];
  const runtime = serviceRuntime('router');
  const log = createWriteStream(join(dir.path, 'router.log'));
  const child = spawn(process.execPath, [...runtime.nodeArgs, join(REPO_ROOT, 'apps/router/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...runtime.env,
      DAIS_STATE_DIR: dir.path,
      DAIS_ROUTER_PORT: String(apiPort),
      DAIS_ROUTER_HTTP_PORT: String(edge),
      DAIS_ROUTER_STATUS_PORT: String(status),
      // Nothing listens there: the benchmark measures routing, a 502 proves nginx routed the host.
      DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${upstream}`,
      DAIS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await dir.remove();
  });
  const router = {
    api: `http://127.0.0.1:${apiPort}`,
    edgePort: edge,
    manager: { callerId: 'manager', privateKey: keys.manager!, audience: 'router' },
    process: child,
    stateDir: dir.path,
    stop,
  };
  const deadline = Date.now() + 30_000;
  while ((await signedFetch(router.api, router.manager, 'GET', '/v1/health').catch(() => null))?.status !== 200) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`router did not start:\n${await readFile(join(dir.path, 'router.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return router;
}

/** The router answers a routed host by passing it on (502: no orchestrator), an unknown one with its own 404. */
const routed = (router: BenchRouter, host: string) =>
  whenAnswered({ port: router.edgePort, host, check: (answer) => answer.status === 502, timeoutMs: 120_000, intervalMs: 20 });

async function bulkFill(count: number): Promise<number> {
  const router = await startRouter(`bulk-${count}`);
  try {
    const routes = routesOf(count);
    const body = JSON.stringify({ routes });
    const sampled = routes[Math.floor(count / 2)]!.hostnames[1]!;
    if ((await getWithHost(router.edgePort, sampled)).status !== 404) throw new Error(`${sampled} is routed before the fill`);
    const started = performance.now();
    const served = routed(router, sampled);
    const answer = await signedFetch(router.api, router.manager, 'PUT', '/v1/routes', { body });
    const answeredMs = performance.now() - started;
    const servedMs = (await served) - started;
    if (answer.status !== 200) throw new Error(`bulk fill of ${count}: ${answer.status} ${JSON.stringify(answer.json)}`);
    const summary = (await signedFetch(router.api, router.manager, 'GET', '/v1/routes/summary')).json as { sites: number; digest: string };
    if (summary.sites !== count || summary.digest !== routeStateDigest(routes))
      throw new Error(`router summary ${JSON.stringify(summary)} is not the state sent`);
    const nginxPid = Number((await readFile(join(router.stateDir, 'router/nginx/run/nginx.pid'), 'utf8')).trim());
    const nginx = await settledNginxMemory(nginxPid);
    console.log(
      `bulk      ${String(count).padStart(6)} sites  body ${(Buffer.byteLength(body) / 2 ** 20).toFixed(2)} MiB  ` +
        `answer ${(answeredMs / 1000).toFixed(2)} s  first served ${(servedMs / 1000).toFixed(2)} s  ` +
        `router RSS ${rssMb(router.process.pid!).toFixed(0)} MB  nginx PSS ${(nginx.pssBytes / 2 ** 20).toFixed(1)} MiB  load ${loadavg()[0]!.toFixed(1)}`,
    );
    return answeredMs;
  } finally {
    await router.stop();
  }
}

async function perSiteFill(count: number): Promise<void> {
  const router = await startRouter(`per-site-${count}`);
  try {
    const routes = routesOf(count);
    const last = routes.at(-1)!.hostnames[1]!;
    const started = performance.now();
    let next = 0;
    let bytes = 0;
    await Promise.all(
      Array.from({ length: PER_SITE_PARALLEL }, async () => {
        while (next < routes.length) {
          const spec = routes[next++]!;
          bytes += Buffer.byteLength(JSON.stringify(spec));
          const answer = await signedFetch(router.api, router.manager, 'PUT', `/v1/routes/${spec.siteId}`, { body: spec });
          if (answer.status !== 200) throw new Error(`route ${spec.siteId}: ${answer.status} ${JSON.stringify(answer.json)}`);
        }
      }),
    );
    const answeredMs = performance.now() - started;
    const servedMs = (await routed(router, last)) - started;
    console.log(
      `per-site  ${String(count).padStart(6)} sites  body ${(bytes / 2 ** 20).toFixed(2)} MiB  ` +
        `answer ${(answeredMs / 1000).toFixed(2)} s  last served ${(servedMs / 1000).toFixed(2)} s  ` +
        `router RSS ${rssMb(router.process.pid!).toFixed(0)} MB  (${PER_SITE_PARALLEL} requests at a time)`,
    );
  } finally {
    await router.stop();
  }
}

/** The router's CPU work on a fill, phase by phase, in this process (nginx -t and the reload are the rest). */
function phases(count: number): void {
  const body = JSON.stringify({ routes: routesOf(count) });
  const timed = <T>(work: () => T): [T, number] => {
    const started = performance.now();
    return [work(), performance.now() - started];
  };
  const [parsed, parseMs] = timed(() => JSON.parse(body) as unknown);
  const [state, schemaMs] = timed(() => routeStateSchema.parse(parsed));
  const [keyed, checkMs] = timed(() => routeStateOf(state.routes));
  const [, renderMs] = timed(() =>
    renderEdgeConfig({
      prefix: '/tmp/bench',
      generation: 1,
      statusPort: 1,
      listen: { host: '0.0.0.0', port: 80 },
      orchestrators: ['127.0.0.1:8081'],
      routes: keyed.values(),
      tls: { httpsPort: 443, challengeDir: '/tmp/bench/acme', certificates: [] },
    }),
  );
  const [, digestMs] = timed(() => routeStateDigest(keyed.values()));
  console.log(
    `phases    ${String(count).padStart(6)} sites  JSON.parse ${parseMs.toFixed(0)} ms  schema ${schemaMs.toFixed(0)} ms  ` +
      `uniqueness ${checkMs.toFixed(0)} ms  render ${renderMs.toFixed(0)} ms  digest ${digestMs.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  console.log(describeConditions());
  console.log('');
  for (const count of SIZES) {
    const answers: number[] = [];
    for (let run = 0; run < RUNS; run++) answers.push(await bulkFill(count));
    const { median, max } = summarize(answers);
    console.log(
      `bulk      ${String(count).padStart(6)} sites  answer median ${(median / 1000).toFixed(2)} s, worst ${(max / 1000).toFixed(2)} s over ${RUNS} runs`,
    );
  }
  await perSiteFill(PER_SITE_COUNT);
  for (const count of SIZES) phases(count);
}

void main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(runCleanups);
