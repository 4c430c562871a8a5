import { describeConditions, summarize } from '../conditions';
import { mb } from './nginx-memory';
import type { PerSiteBlocks } from './per-site-servers.render';
import { describeSiteMix } from './site-mix';
import type { InitialApply } from './timed-nginx-tier';

/** The two layouts compared. */
export type Layout = 'map' | 'per-site servers';

/** What one layout at one size measured. */
export interface LayoutResult {
  layout: Layout;
  size: number;
  initial: InitialApply;
  configBytes: number;
  /** Per change: call → first request that sees it. */
  live: number[];
  /** Per change: call → `table.set` resolved (old workers retired, state persisted). */
  returned: number[];
  phases: Map<string, number[]>;
  /** PSS right after the first start, before any reload. */
  pssAtStart: number;
  /** PSS once the old workers have exited, and at the moment `set` resolved (old workers may still be exiting). */
  pssSettled: number[];
  pssAtReturn: number[];
  stoppedEarly: boolean;
}

/** How the run was set up, for the printout. */
export interface ReportContext {
  changes: number;
  sizes: number[];
  blocks: PerSiteBlocks;
  budgetMs: number;
  target: { sites: number; medianMs: number; pssMb: number };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const median = (samples: number[]) => summarize(samples).median;
const label = (r: LayoutResult) => `${String(r.size).padStart(5)} ${r.layout.padEnd(17)}`;

/** Prints the run's conditions, the table, the ratios, the phases and the verdict on the targets. */
export function printNginxScaleReport(results: LayoutResult[], context: ReportContext): void {
  printHeader(context);
  printTable(results, context);
  printRatios(results, context);
  console.log('\nwhere the time of one change goes (median ms per phase of the pipeline):');
  for (const r of results) console.log(`  ${label(r)} ${[...r.phases].map(([phase, s]) => `${phase} ${median(s).toFixed(0)}`).join(', ')}`);
  console.log('\ninitial state (all sites written in one go, then loaded and applied as at a restart):');
  for (const r of results)
    console.log(`  ${label(r)} write ${ms(r.initial.persistMs)}, load ${ms(r.initial.loadMs)}, first apply ${ms(r.initial.applyMs)}`);
  printTargets(results, context);
}

function printHeader(context: ReportContext): void {
  console.log('benchmark: one site change → live, and nginx memory after it, at 10 / 1,000 / 10,000 sites');
  console.log(describeConditions());
  console.log(`sites:    ${describeSiteMix()}`);
  console.log(
    `layouts:  map = renderSitesConfig (orchestrator); per-site servers = one server {} per site, ${context.blocks} blocks (bench renderer)`,
  );
  console.log(
    `changes:  up to ${context.changes} per size and layout, one at a time, alternating "flip availability (200 ↔ 503)" and ` +
      `"add a hostname (404 → 200)"; live = from table.set() until a fresh connection with that Host gets the new answer ` +
      `(polling every 5 ms); set() = until the call resolved (new generation answers, old workers stopped accepting, state saved)`,
  );
  console.log('nginx:    1 worker, private prefix; PSS = Σ Pss of master + workers (/proc/<pid>/smaps_rollup)\n');
}

function printTable(results: LayoutResult[], context: ReportContext): void {
  console.log('sites  layout             config    start    n  live median  live p90  set() median  PSS start  PSS after  PSS during');
  for (const r of results) {
    const live = summarize(r.live);
    console.log(
      [
        String(r.size).padStart(5),
        ` ${r.layout.padEnd(17)}`,
        `${mb(r.configBytes).padStart(5)} MB`,
        ms(r.initial.applyMs).padStart(8),
        String(r.live.length).padStart(3) + (r.stoppedEarly ? '*' : ' '),
        ms(live.median).padStart(11),
        ms(live.p90).padStart(9),
        ms(median(r.returned)).padStart(13),
        `${mb(r.pssAtStart)} MB`.padStart(10),
        `${mb(median(r.pssSettled))} MB`.padStart(10),
        `${mb(median(r.pssAtReturn))} MB`.padStart(11),
      ].join(' '),
    );
  }
  console.log(
    '  PSS start = after the first start; after = once the change is applied and old workers exited (median); during = when set() resolved',
  );
  if (results.some((r) => r.stoppedEarly))
    console.log(
      `  * stopped early: changes were slow, so this layout ran for ${context.budgetMs / 1000} s instead of ${context.changes} changes`,
    );
}

function printRatios(results: LayoutResult[], context: ReportContext): void {
  console.log(`\nratio per-site servers (${context.blocks}) / map, medians:`);
  for (const size of context.sizes) {
    const map = results.find((r) => r.size === size && r.layout === 'map');
    const servers = results.find((r) => r.size === size && r.layout === 'per-site servers');
    if (!map || !servers) continue;
    const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(1);
    console.log(
      `  ${String(size).padStart(5)} sites: live ×${ratio(servers.live, map.live)}, set() ×${ratio(servers.returned, map.returned)}, ` +
        `PSS after ×${ratio(servers.pssSettled, map.pssSettled)}, first start ×${(servers.initial.applyMs / map.initial.applyMs).toFixed(1)}`,
    );
  }
}

function printTargets(results: LayoutResult[], { target }: ReportContext): void {
  const atTarget = results.find((r) => r.size === target.sites && r.layout === 'map');
  if (!atTarget) return;
  const live = median(atTarget.live);
  const returned = median(atTarget.returned);
  const pss = median(atTarget.pssSettled) / 2 ** 20;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  console.log(
    `\ntargets at ${target.sites} sites (map): live median ${ms(live)} (≤ ${target.medianMs} ms: ${verdict(live <= target.medianMs)}; ` +
      `set() median ${ms(returned)}: ${verdict(returned <= target.medianMs)}), ` +
      `PSS after ${pss.toFixed(1)} MB (≤ ${target.pssMb} MB: ${verdict(pss <= target.pssMb)}; after the first start ${mb(atTarget.pssAtStart)} MB)`,
  );
}
