// What does holding every site to a disk limit cost? (a) Creating a static site through the
// orchestrator (signed PUT → first 200 through its nginx), with DAIS_DISK_DRIVER=none and =loop, in
// the same run; (b) mounting one site image (umount + mount, as at start after a reboot); (c) how
// many loop-mounted sites the machine holds: images made and mounted one after another up to N,
// with the time per site, the kernel memory and what the mounts take on disk as N grows; then all
// deleted. Usage: npm run bench:disks -- [create runs] [sites held]
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SiteSpec } from '@dais/shared';
import { OrchestratorHarness } from '../apps/orchestrator/test/support/orchestrator-harness';
import { systemDiskTools } from '../apps/orchestrator/src/disks';
import { LoopDisks } from '../apps/orchestrator/src/disks/loop-disks';
import { unmountEverythingUnder } from '../test/support/loop-mounts';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions, summarize } from './conditions';
import { onCleanup, runCleanups } from './support/cleanup';
import { timeUntilLive } from './support/poll';

const run = promisify(execFile);
const CREATE_RUNS = Number(process.argv[2] ?? 20);
const HELD = Number(process.argv[3] ?? 500);
const LIMIT_MB = 1_024;

const staticSpec = (id: number): SiteSpec => ({
  id,
  name: `disk${id}`,
  type: 'static',
  availability: 'enabled',
  hostnames: [`disk${id}.dais.localhost`],
  runtime: null,
  nginx: {},
  diskLimitMb: LIMIT_MB,
});

/** (a) PUT → first 200 for `runs` new static sites on an orchestrator with this disk driver. */
async function createTimes(driver: 'none' | 'loop', runs: number): Promise<number[]> {
  const harness = await OrchestratorHarness.start('docker', { DAIS_DISK_DRIVER: driver });
  const cleanup = onCleanup(async () => {
    await harness.shutdown();
    await unmountEverythingUnder(harness.dir.path);
    await harness.destroy();
  });
  const times: number[] = [];
  try {
    for (let id = 1; id <= runs; id += 1) {
      const spec = staticSpec(id);
      const timing = await timeUntilLive(
        async () => {
          const answer = await harness.put(spec);
          if (answer.status !== 200) throw new Error(`PUT site ${id}: ${answer.status} ${JSON.stringify(answer.json)}`);
        },
        { port: harness.sitesPort, host: spec.hostnames[0]!, check: (page) => page.status === 200, timeoutMs: 60_000, overlapping: true },
      );
      times.push(timing.liveMs);
    }
  } finally {
    await cleanup();
  }
  return times;
}

/** Kernel memory not in the page cache (slab and page tables included), in KiB. */
async function kernelMemoryKib(): Promise<number> {
  const info = await readFile('/proc/meminfo', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return field('Slab') + field('KernelStack') + field('PageTables') + field('VmallocUsed');
}

interface HeldStep {
  sites: number;
  createMs: number;
  kernelMib: number;
  diskMib: number;
}

/** (b) and (c): sites made and mounted one after another with the loop driver itself. */
async function holdSites(count: number): Promise<{ steps: HeldStep[]; mountMs: number[]; removeMs: number[] }> {
  const dir = await tempDir('bench-disks');
  const cleanup = onCleanup(async () => {
    await unmountEverythingUnder(dir.path);
    await dir.remove();
  });
  const sitesRoot = join(dir.path, 'sites');
  const disks = new LoopDisks({ sitesRoot, imagesDir: join(dir.path, 'disks'), tools: systemDiskTools });
  await disks.prepare();
  const baseline = await kernelMemoryKib();
  const steps: HeldStep[] = [];
  const mark = new Set([1, 10, 50, 100, 200, 500, 1_000, 2_000, count]);
  let window: number[] = [];
  try {
    for (let id = 1; id <= count; id += 1) {
      const staging = join(sitesRoot, `.new-${id}`);
      await mkdir(join(staging, 'public'), { recursive: true });
      await writeFile(join(staging, 'public', 'index.html'), `site ${id}\n`);
      const started = performance.now();
      await disks.create(id, staging, LIMIT_MB, { uid: 200_000 + id });
      window.push(performance.now() - started);
      if (mark.has(id)) {
        const disk = await run('du', ['-sk', join(dir.path, 'disks')]);
        steps.push({
          sites: id,
          createMs: summarize(window).median,
          kernelMib: ((await kernelMemoryKib()) - baseline) / 1024,
          diskMib: Number(disk.stdout.split('\t')[0]) / 1024,
        });
        window = [];
      }
    }
    const mountMs: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const site = join(sitesRoot, String(1 + (round % count)));
      await run('umount', [site]);
      const started = performance.now();
      await disks.attach(1 + (round % count));
      mountMs.push(performance.now() - started);
      if ((await stat(site)).dev === (await stat(sitesRoot)).dev) throw new Error('not mounted again');
    }
    const removeMs: number[] = [];
    for (let id = 1; id <= count; id += 1) {
      const started = performance.now();
      await disks.remove(id);
      removeMs.push(performance.now() - started);
    }
    return { steps, mountMs, removeMs };
  } finally {
    await cleanup();
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  console.log(describeConditions());
  console.log(`kernel:   ${(await run('uname', ['-r'])).stdout.trim()}\n`);
  const none = summarize(await createTimes('none', CREATE_RUNS));
  const loop = summarize(await createTimes('loop', CREATE_RUNS));
  console.log(`(a) static site PUT → first 200, ${CREATE_RUNS} sites each, limit ${LIMIT_MB} MiB`);
  for (const [driver, result] of [
    ['none', none],
    ['loop', loop],
  ] as const)
    console.log(
      `    ${driver.padEnd(4)}  median ${ms(result.median)}  p90 ${ms(result.p90)}  min ${ms(result.min)}  max ${ms(result.max)}`,
    );
  console.log(`    loop adds ${ms(loop.median - none.median)} to the median\n`);
  const held = await holdSites(HELD);
  const mount = summarize(held.mountMs);
  console.log(
    `(b) mount one site image again (after umount), 20 times: median ${ms(mount.median)}  p90 ${ms(mount.p90)}  max ${ms(mount.max)}\n`,
  );
  console.log(`(c) sites made and loop-mounted one after another (limit ${LIMIT_MB} MiB each)`);
  console.log('    sites  create (median of the last batch)  kernel memory added  images on disk');
  for (const step of held.steps) {
    console.log(
      `    ${String(step.sites).padStart(5)}  ${ms(step.createMs).padStart(33)}  ${`${step.kernelMib.toFixed(1)} MiB`.padStart(19)}  ${`${step.diskMib.toFixed(1)} MiB`.padStart(14)}`,
    );
  }
  const removal = summarize(held.removeMs);
  console.log(`    delete each (umount + image + folder): median ${ms(removal.median)}  p90 ${ms(removal.p90)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
