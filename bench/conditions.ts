import { spawnSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

function version(command: string, args: string[]): string {
  // Some tools (nginx -v) print their version on stderr.
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return 'not found';
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0] ?? '?';
}

/** The run's conditions, printed with every benchmark so numbers can be compared honestly. */
export function describeConditions(): string {
  const cpu = cpus();
  return [
    `date:     ${new Date().toISOString()}`,
    `commit:   ${version('git', ['rev-parse', '--short', 'HEAD'])}`,
    `cpu:      ${cpu.length} × ${cpu[0]?.model ?? '?'}`,
    `memory:   ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`,
    `load:     ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')} (1/5/15 min)`,
    `node:     ${process.version}`,
    `nginx:    ${version('nginx', ['-v']).replace('nginx version: ', '')}`,
    `postgres: ${version('psql', ['--version'])}`,
    `redis:    ${version('redis-server', ['--version'])}`,
  ].join('\n');
}

/** Median, mean, min and max of a sample, in the sample's unit. */
export function summarize(samples: number[]): { median: number; mean: number; min: number; max: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? (sorted[Math.floor(middle)] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return {
    median,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
    p90: at(0.9),
  };
}
