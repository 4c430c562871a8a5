// How long do a dynamic site's container steps take through the orchestrator? (a) create via the
// signed API → first 200 through the orchestrator's nginx, beside (b) the floor measured in the
// same run: raw dockerode create + start of the same container + one nginx apply, until its first
// 200 (target: (a) ≤ 2× (b)); (c) an env change that replaces the container, until the new one
// answers; (d) DELETE until it returns (target for (c) and (d): ≤ 3 s, Init and stop grace set).
// Runs an orchestrator in this process with the docker runtime and the local image
// dais/busybox:latest (built by `npm run setup`). Usage: npm run bench:containers -- [runs]
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { SiteSpec } from '@dais/shared';
import { dynamicSpec, OrchestratorHarness, TEST_IMAGE } from '../apps/orchestrator/test/support/orchestrator-harness';
import { DOCKER_API_VERSION } from '../apps/orchestrator/src/docker/docker-client';
import { STOP_GRACE_SECONDS } from '../apps/orchestrator/src/docker/container-spec';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions, summarize } from './conditions';
import { interrupted, onCleanup, removeDir, runCleanups } from './support/cleanup';
import { timeUntilLive } from './support/poll';
import { RawContainerFloor, type FloorSample } from './support/raw-container-floor';

const RUNS = Number(process.argv[2] ?? 20);
const TARGET = { createRatio: 2, updateMs: 3_000, removeMs: 3_000 } as const;
const UID_BASE = 200_000;

/** Serves the site's public/ folder, as the brief's run.sh does. */
const RUN_SH = `#!/bin/sh
exec httpd -f -p "$PORT" -h /site/public
`;

/** A CGI that answers with the container's $VERSION, so an update is seen only once the new container answers. */
const VERSION_CGI = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n%s' "$VERSION"
`;

const siteSpec = (id: number, version: string): SiteSpec =>
  dynamicSpec(id, `bench${id}`, {}, { image: TEST_IMAGE, runScript: RUN_SH, env: { VERSION: version } });

interface Samples {
  create: number[];
  createReturned: number[];
  floor: FloorSample[];
  update: number[];
  updateReturned: number[];
  /** Updates during which some visitor request stalled ≥ STALLED_MS. */
  updatesWithStalls: number;
  remove: number[];
}

async function createViaApi(h: OrchestratorHarness, spec: SiteSpec): Promise<{ liveMs: number; returnedMs: number }> {
  return timeUntilLive(
    async () => {
      const answer = await h.put(spec);
      if (answer.status !== 200) throw new Error(`PUT site ${spec.id}: ${answer.status} ${JSON.stringify(answer.json)}`);
    },
    { port: h.sitesPort, host: spec.hostnames[0]!, check: (page) => page.status === 200, timeoutMs: 60_000, overlapping: true },
  );
}

async function addVersionCgi(h: OrchestratorHarness, siteId: number): Promise<void> {
  const dir = join(h.siteDir(siteId), 'public', 'cgi-bin');
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'version'), VERSION_CGI, { mode: 0o755 });
}

/** Requests slower than this during an update waited for a TCP retransmit (a dropped SYN), not for nginx or httpd. */
const STALLED_MS = 900;

async function updateViaApi(
  h: OrchestratorHarness,
  spec: SiteSpec,
  version: string,
): Promise<{ liveMs: number; returnedMs: number; stalled: number }> {
  let stalled = 0;
  const timing = await timeUntilLive(
    async () => {
      const answer = await h.put(spec);
      if (answer.status !== 200) throw new Error(`PUT site ${spec.id}: ${answer.status} ${JSON.stringify(answer.json)}`);
    },
    {
      port: h.sitesPort,
      host: spec.hostnames[0]!,
      path: '/cgi-bin/version',
      check: (page) => page.status === 200 && page.body === version,
      timeoutMs: 60_000,
      overlapping: true,
      onAnswer: (tookMs) => {
        if (tookMs >= STALLED_MS) stalled++;
      },
    },
  );
  return { ...timing, stalled };
}

async function removeViaApi(h: OrchestratorHarness, siteId: number): Promise<number> {
  const started = performance.now();
  const answer = await h.call('DELETE', `/v1/sites/${siteId}`);
  const elapsed = performance.now() - started;
  if (answer.status !== 200) throw new Error(`DELETE site ${siteId}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return elapsed;
}

async function measure(h: OrchestratorHarness, floor: RawContainerFloor): Promise<Samples> {
  const samples: Samples = { create: [], createReturned: [], floor: [], update: [], updateReturned: [], updatesWithStalls: 0, remove: [] };
  // Site 1 and floor site 1001 warm the engine and both nginx instances; they are not counted.
  const ids = Array.from({ length: RUNS + 1 }, (_, index) => index + 1);
  for (const id of ids) {
    const floorSpec = siteSpec(1000 + id, 'floor');
    await floor.prepare(floorSpec);
    // Alternate which goes first, so neither always runs on a just-busy engine.
    let api: { liveMs: number; returnedMs: number };
    let raw: FloorSample;
    if (id % 2 === 0) {
      api = await createViaApi(h, siteSpec(id, 'v0'));
      raw = await floor.createAndServe(floorSpec);
    } else {
      raw = await floor.createAndServe(floorSpec);
      api = await createViaApi(h, siteSpec(id, 'v0'));
    }
    if (id === 1) continue;
    samples.create.push(api.liveMs);
    samples.createReturned.push(api.returnedMs);
    samples.floor.push(raw);
  }
  for (const id of ids) await addVersionCgi(h, id);
  for (const id of ids) {
    const version = `v${id}`;
    const update = await updateViaApi(h, siteSpec(id, version), version);
    if (id === 1) continue;
    samples.update.push(update.liveMs);
    samples.updateReturned.push(update.returnedMs);
    if (update.stalled > 0) samples.updatesWithStalls++;
  }
  for (const id of ids) {
    const elapsed = await removeViaApi(h, id);
    if (id !== 1) samples.remove.push(elapsed);
  }
  const left = await h.docker.listContainers({ all: true, filters: { label: [`dais.managed-by=${h.prefix}`] } });
  if (left.length > 0) throw new Error(`${left.length} containers left after DELETE`);
  return samples;
}

const line = (samples: number[]) => {
  const s = summarize(samples);
  return `median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms, min ${s.min.toFixed(0)} ms, max ${s.max.toFixed(0)} ms`;
};

function report(samples: Samples, dockerVersion: string): void {
  const median = (values: number[]) => summarize(values).median;
  const create = median(samples.create);
  const floor = median(samples.floor.map((f) => f.firstOkMs));
  const update = median(samples.update);
  const remove = median(samples.remove);
  console.log('benchmark: dynamic site container lifecycle through the orchestrator (docker runtime)');
  console.log(describeConditions());
  console.log(`docker:   ${dockerVersion}, image ${TEST_IMAGE}, run.sh: exec httpd -f -p "$PORT" -h /site/public`);
  console.log(
    `setup:    orchestrator in this process (signed API, real nginx, real engine), Init on, stop grace ${STOP_GRACE_SECONDS} s, ` +
      `limits 64 MB / 0.5 CPU / 64 pids; ${RUNS} runs each after one warm-up run, one at a time, polling nginx every 5 ms`,
  );
  console.log(`(a) PUT /v1/sites/:id → first 200 through nginx:     ${line(samples.create)}`);
  console.log(`    PUT returned after:                                ${line(samples.createReturned)}`);
  console.log(`(b) floor: create + start + 1 nginx apply → first 200: ${line(samples.floor.map((f) => f.firstOkMs))}`);
  const part = (pick: (f: FloorSample) => number) => median(samples.floor.map(pick)).toFixed(0);
  console.log(
    `    floor steps (medians): create ${part((f) => f.createMs)} ms, start ${part((f) => f.startMs)} ms, ` +
      `inspect + nginx apply ${part((f) => f.routeMs)} ms`,
  );
  console.log(`(c) env change → the new container answers:          ${line(samples.update)}`);
  console.log(`    PUT returned after:                                ${line(samples.updateReturned)}`);
  console.log(
    `    updates during which a request through nginx stalled ≥ ${STALLED_MS} ms (SYN to a not-yet-ready container): ` +
      `${samples.updatesWithStalls} of ${samples.update.length}`,
  );
  console.log(`(d) DELETE /v1/sites/:id → returned:                  ${line(samples.remove)}`);
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  console.log(
    `targets:  (a)/(b) = ${(create / floor).toFixed(2)}× (≤ ${TARGET.createRatio}×: ${verdict(create <= TARGET.createRatio * floor)}); ` +
      `update ${update.toFixed(0)} ms (≤ ${TARGET.updateMs} ms: ${verdict(update <= TARGET.updateMs)}); ` +
      `removal ${remove.toFixed(0)} ms (≤ ${TARGET.removeMs} ms: ${verdict(remove <= TARGET.removeMs)})`,
  );
}

async function main(): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const network = `dais-bench-${tag}`;
  const docker = new Docker({ socketPath: '/var/run/docker.sock', version: DOCKER_API_VERSION });
  const dockerVersion = (await docker.version()).Version;
  const floorDir = await tempDir('bench-floor');
  let harness: OrchestratorHarness | undefined;
  const floor = new RawContainerFloor({ dir: floorDir.path, network, namePrefix: `b${tag}-floor-`, uidBase: UID_BASE });
  onCleanup(async () => {
    await floor.destroy().catch((error: unknown) => console.error('floor cleanup:', error));
    await harness?.destroy();
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    await removeDir(floorDir.path);
  });
  let samples: Samples;
  try {
    harness = await OrchestratorHarness.start('docker', {
      DAIS_SITE_NAME_PREFIX: `b${tag}-`,
      DAIS_SITES_NETWORK: network,
      DAIS_SITE_UID_BASE: String(UID_BASE),
      DAIS_RECONCILE_INTERVAL_MS: '30000',
    });
    await floor.start();
    samples = await measure(harness, floor);
  } finally {
    await runCleanups();
  }
  report(samples, dockerVersion);
}

main().catch((error: unknown) => {
  if (interrupted()) return; // the signal handler cleans up and exits
  console.error(error);
  process.exit(1);
});
