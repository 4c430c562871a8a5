// With 10, 1,000 and 10,000 sites configured: how long until one site's change is live, and how
// much memory (PSS) does nginx use after it? Targets at 10,000 sites: ≤ 250 ms median, ≤ 30 MB.
// Measures the orchestrator's map layout (`renderSitesConfig`) and, in the same run, a baseline
// with one `server {}` per site, both applied through the real pipeline of libs/nginx to a private
// nginx. Usage: npm run bench:nginx-scale -- [changes per size] [sizes, comma-separated] [minimal|full]
// (`full` gives each baseline block the error pages and proxy headers the map layout's server has).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteSpec } from '@dais/shared';
import type { ConfigFiles } from '@dais/nginx';
import { renderSitesConfig, type SitesConfigInput } from '../apps/orchestrator/src/nginx/sites-config.render';
import { freePorts } from '../test/support/ports';
import { tempDir } from '../test/support/temp-dir';
import { interrupted, onCleanup, removeDir, runCleanups } from './support/cleanup';
import { nginxMemory, settledNginxMemory } from './support/nginx-memory';
import { printNginxScaleReport, type Layout, type LayoutResult } from './support/nginx-scale-report';
import { renderPerSiteServers, type PerSiteBlocks } from './support/per-site-servers.render';
import { timeUntilLive } from './support/poll';
import { changeTargets, endpointsOfMix, sitesOfMix } from './support/site-mix';
import { TimedNginxTier, type InitialApply } from './support/timed-nginx-tier';

const CHANGES = Number(process.argv[2] ?? 20);
const SIZES = (process.argv[3] ?? '10,1000,10000').split(',').map(Number);
const BLOCKS: PerSiteBlocks = process.argv[4] === 'full' ? 'full' : 'minimal';
/** A layout whose changes are slow stops early after this long (but not before 5 changes). */
const LAYOUT_BUDGET_MS = 90_000;
const MIN_CHANGES = 5;
const TARGET = { sites: 10_000, medianMs: 250, pssMb: 30 } as const;

const LAYOUTS: readonly Layout[] = ['map', 'per-site servers'];
const RENDERERS: Record<Layout, (input: SitesConfigInput) => ConfigFiles> = {
  map: renderSitesConfig,
  'per-site servers': (input) => renderPerSiteServers(input, BLOCKS),
};

/** Change number `index` of a run: flip a site's availability, or add a hostname to it. */
function nextChange(index: number, siteId: number, current: SiteSpec): { spec: SiteSpec; host: string; status: number } {
  const spec: SiteSpec =
    index % 2 === 0
      ? { ...current, availability: current.availability === 'enabled' ? 'not_served' : 'enabled' }
      : { ...current, hostnames: [...current.hostnames, `extra${index}-site${siteId}.example.net`] };
  return { spec, host: spec.hostnames.at(-1)!, status: spec.availability === 'enabled' ? 200 : 503 };
}

/** An empty result, filled by {@link timeChanges}. */
function newResult(layout: Layout, size: number, initial: InitialApply, configBytes: number, pssAtStart: number): LayoutResult {
  return {
    layout,
    size,
    initial,
    configBytes,
    pssAtStart,
    live: [],
    returned: [],
    phases: new Map(),
    pssSettled: [],
    pssAtReturn: [],
    stoppedEarly: false,
  };
}

/** Times up to CHANGES single-site changes, one at a time, and nginx's memory after each. */
async function timeChanges(tier: TimedNginxTier, targets: number[], sitesPort: number, result: LayoutResult): Promise<void> {
  const pid = await tier.masterPid();
  const started = performance.now();
  for (let index = 0; index < CHANGES; index++) {
    if (index >= MIN_CHANGES && performance.now() - started > LAYOUT_BUDGET_MS) {
      result.stoppedEarly = true;
      return;
    }
    const siteId = targets[index % targets.length]!;
    const change = nextChange(index, siteId, tier.table.get(siteId)!);
    tier.clock.take();
    const timing = await timeUntilLive(() => tier.table.set(siteId, change.spec), {
      port: sitesPort,
      host: change.host,
      check: (answer) => answer.status === change.status,
      timeoutMs: 60_000,
    });
    result.live.push(timing.liveMs);
    result.returned.push(timing.returnedMs);
    for (const [phase, ms] of tier.clock.take()) result.phases.set(phase, [...(result.phases.get(phase) ?? []), ms]);
    result.pssAtReturn.push((await nginxMemory(pid)).pssBytes);
    result.pssSettled.push((await settledNginxMemory(pid)).pssBytes);
  }
}

async function measure(layout: Layout, size: number): Promise<LayoutResult> {
  const dir = await tempDir(`nginx-scale-${size}`);
  const [sitesPort, statusPort] = await freePorts(2);
  const prefix = join(dir.path, 'nginx');
  const publicDirOf = (siteId: number) => join(dir.path, 'sites', String(siteId), 'public');
  const inputOf = (state: ReadonlyMap<number, SiteSpec>, generation: number): SitesConfigInput => ({
    prefix,
    generation,
    statusPort: statusPort!,
    listen: { host: '127.0.0.1', port: sitesPort! },
    sitesRoot: join(dir.path, 'sites'),
    publicDirOf,
    endpointsOf: endpointsOfMix,
    sites: state.values(),
  });
  const tier = new TimedNginxTier({
    prefix,
    stateDir: join(dir.path, 'state'),
    statusPort: statusPort!,
    render: (state, generation) => RENDERERS[layout](inputOf(state, generation)),
  });
  const release = onCleanup(async () => {
    await tier.stop();
    await removeDir(dir.path);
  });
  try {
    const targets = changeTargets(size, CHANGES);
    for (const siteId of targets) {
      await mkdir(publicDirOf(siteId), { recursive: true });
      await writeFile(join(publicDirOf(siteId), 'index.html'), `site ${siteId}\n`);
    }
    const sites = sitesOfMix(size);
    const initial = await tier.start(sites);
    const configBytes = Object.values(RENDERERS[layout](inputOf(sites, 0))).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const result = newResult(layout, size, initial, configBytes, (await settledNginxMemory(await tier.masterPid())).pssBytes);
    await timeChanges(tier, targets, sitesPort!, result);
    return result;
  } finally {
    await release();
  }
}

async function main(): Promise<void> {
  const results: LayoutResult[] = [];
  try {
    for (const size of SIZES) {
      for (const layout of LAYOUTS) {
        console.error(`measuring ${layout} at ${size} sites…`);
        results.push(await measure(layout, size));
      }
    }
  } finally {
    await runCleanups();
  }
  printNginxScaleReport(results, { changes: CHANGES, sizes: SIZES, blocks: BLOCKS, budgetMs: LAYOUT_BUDGET_MS, target: TARGET });
}

main().catch((error: unknown) => {
  if (interrupted()) return; // the signal handler cleans up and exits
  console.error(error);
  process.exit(1);
});
