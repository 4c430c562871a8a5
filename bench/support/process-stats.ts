import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux; /proc/<pid>/stat counts CPU time in these.

/** A `kB` field of /proc/<pid>/status or smaps_rollup, in MB. */
function kbField(file: string, field: string): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`${file} has no ${field}`);
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** Resident memory of a process (VmRSS), in MB. */
export function rssMb(pid: number): number {
  return kbField(`/proc/${pid}/status`, 'VmRSS');
}

/** Proportional set size (shared pages split between the processes sharing them), in MB. */
export function pssMb(pid: number): number {
  return kbField(`/proc/${pid}/smaps_rollup`, 'Pss');
}

/** Unique set size: pages no other process maps (what stopping this process would free), in MB. */
export function privateMb(pid: number): number {
  const rollup = `/proc/${pid}/smaps_rollup`;
  return kbField(rollup, 'Private_Clean') + kbField(rollup, 'Private_Dirty');
}

/** CPU time a process has used so far (user + system), in milliseconds. */
export function cpuMs(pid: number): number {
  // The command name in parentheses may contain spaces: count fields after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, i.e. 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** This process's open-files limit (soft), which caps how many sockets one benchmark can open. */
export function openFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return line?.split(/\s{2,}/)[1] ?? '?';
}

/** The pid of a stack process, or a loud failure (a benchmark that reads nothing must not print zeros). */
export function requirePid(pid: number | undefined, name: string): number {
  if (pid === undefined) throw new Error(`${name} is not running`);
  return pid;
}
