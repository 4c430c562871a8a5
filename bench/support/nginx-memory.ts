import { readFile } from 'node:fs/promises';

/** nginx's processes and their proportional memory at one moment. */
export interface NginxMemory {
  /** Sum of `Pss` over the master and all its workers, in bytes. */
  pssBytes: number;
  processes: number;
  /** Old workers still exiting after a reload (their memory is in `pssBytes`). */
  shuttingDown: number;
}

/** `Pss` of one process from `/proc/<pid>/smaps_rollup`, in bytes (0 once it has exited). */
async function pssOf(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = /^Pss:\s+(\d+) kB$/m.exec(text)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function titleOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}

/**
 * PSS of an nginx master and its workers. PSS splits pages shared after fork between the
 * processes sharing them, so the sum is what the instance really costs (RSS would count the
 * shared configuration once per process).
 */
export async function nginxMemory(masterPid: number): Promise<NginxMemory> {
  const children = await childrenOf(masterPid);
  const titles = await Promise.all(children.map(titleOf));
  const pss = await Promise.all([masterPid, ...children].map(pssOf));
  return {
    pssBytes: pss.reduce((sum, value) => sum + value, 0),
    processes: 1 + children.length,
    shuttingDown: titles.filter((title) => title.includes('shutting down')).length,
  };
}

/** Waits (up to `timeoutMs`) until no old worker is still shutting down, then measures. */
export async function settledNginxMemory(masterPid: number, timeoutMs = 10_000): Promise<NginxMemory> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const memory = await nginxMemory(masterPid);
    if (memory.shuttingDown === 0 || Date.now() >= deadline) return memory;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Bytes as MB with one decimal. */
export function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
