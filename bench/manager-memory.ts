// How much memory does an idle manager hold? Target: API + worker ≤ 200 MB RSS together. Measured
// in both layouts an admin can run: two processes (DAIS_MANAGER_ROLE=api and =worker) and one
// process doing both (the default). Boots a stack, creates one site, waits, then reads /proc.
// Usage: npm run bench:memory -- [idle seconds]
import { TestStack, type StackProcess } from '../test/support/stack';
import { describeConditions } from './conditions';
import { privateMb, pssMb, requirePid, rssMb } from './support/process-stats';

const IDLE_S = Number(process.argv[2] ?? 30);
const TARGET_MB = 200;

interface Reading {
  rss: number;
  pss: number;
  uss: number;
}

function read(stack: TestStack, names: StackProcess[]): Map<StackProcess, Reading> {
  return new Map(
    names.map((name) => {
      const pid = requirePid(stack.pidOf(name), name);
      return [name, { rss: rssMb(pid), pss: pssMb(pid), uss: privateMb(pid) }];
    }),
  );
}

function total(readings: Map<StackProcess, Reading>): Reading {
  return [...readings.values()].reduce((sum, r) => ({ rss: sum.rss + r.rss, pss: sum.pss + r.pss, uss: sum.uss + r.uss }), {
    rss: 0,
    pss: 0,
    uss: 0,
  });
}

function line(label: string, readings: Map<StackProcess, Reading>): string {
  const mb = (r: Reading) => `${r.rss.toFixed(1)} RSS / ${r.pss.toFixed(1)} PSS / ${r.uss.toFixed(1)} USS`;
  const cells = [...readings].map(([name, r]) => `${name} ${mb(r)}`);
  return `${label.padEnd(22)}${cells.join('; ')}${readings.size > 1 ? `; together ${mb(total(readings))}` : ''} (MB)`;
}

/** Boots one layout, creates a site, idles, and prints the readings; returns the idle RSS sum. */
async function measure(layout: string, separateWorker: boolean): Promise<number> {
  const names: StackProcess[] = separateWorker ? ['manager-api', 'manager-worker'] : ['manager'];
  const stack = await TestStack.start('bench-mem', { separateWorker, env: { DAIS_LOG_LEVEL: 'error' } });
  try {
    const booted = read(stack, names);
    const site = await stack.createSite('memsite');
    await stack.waitForOperation(site.operation?.id ?? 0, (o) => o.state === 'succeeded');
    const afterSite = read(stack, names);
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    const idle = read(stack, names);
    console.log(`layout:   ${layout}`);
    console.log(line('  after boot:', booted));
    console.log(line('  after 1 site:', afterSite));
    console.log(line(`  after ${IDLE_S} s idle:`, idle));
    console.log(line('  router, same time:', read(stack, ['router'])));
    return total(idle).rss;
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  console.log('benchmark: idle memory of the manager (API + worker)');
  console.log(describeConditions());
  console.log(
    `run:      a stack per layout (services started as npm start does: serviceRuntime()), 1 static site created through the API, then ${IDLE_S} s idle`,
  );
  console.log('memory:   VmRSS; Pss and Private_* (USS) from /proc/<pid>/smaps_rollup — RSS counts the node binary in every process');
  const two = await measure('two processes (DAIS_MANAGER_ROLE=api + worker)', true);
  const one = await measure('one process (DAIS_MANAGER_ROLE=all, the default)', false);
  const verdict = (mb: number) => `${mb <= TARGET_MB ? 'met' : 'MISSED'} (${mb.toFixed(1)} MB)`;
  console.log(`target:   ≤ ${TARGET_MB} MB RSS together: two processes ${verdict(two)}, one process ${verdict(one)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
