import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The longest a disk tool may run (a shrink of a large filesystem moves data). */
const TOOL_TIMEOUT_MS = 30 * 60_000;

/**
 * Where system tools are looked up, in order. Fixed rather than taken from PATH: a service's PATH
 * often lacks the sbin folders, which is where mkfs.ext4, resize2fs and xfs_quota live.
 */
const TOOL_FOLDERS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A disk tool that ended with an exit code it was not expected to. */
export class DiskToolError extends Error {
  override readonly name = 'DiskToolError';

  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode ?? '?'}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
  }
}

/**
 * Runs the system's disk tools (mount, umount, losetup, mkfs.ext4, e2fsck, resize2fs, xfs_quota,
 * xfs_io, rm): the one place that starts them, always with an argument array, never a shell.
 * Drivers take it as a parameter so unit specs can check the exact argv.
 */
export interface DiskTools {
  /** Runs `file` with `args`; resolves with stdout when the exit code is one of `okCodes` (default 0). */
  run(file: string, args: readonly string[], okCodes?: readonly number[]): Promise<string>;
  /** Whether `file` is an executable on PATH. */
  has(file: string): Promise<boolean>;
}

const located = new Map<string, string | null>();

async function locate(file: string): Promise<string | null> {
  if (!located.has(file)) {
    let found: string | null = null;
    for (const folder of TOOL_FOLDERS) {
      if (
        await access(join(folder, file), constants.X_OK).then(
          () => true,
          () => false,
        )
      ) {
        found = join(folder, file);
        break;
      }
    }
    located.set(file, found);
  }
  return located.get(file) ?? null;
}

/** The real tools, as root runs them. */
export const systemDiskTools: DiskTools = {
  async run(file, args, okCodes = [0]) {
    const path = await locate(file);
    if (!path) throw new DiskToolError([file, ...args], null, `${file} is not installed (looked in ${TOOL_FOLDERS.join(', ')})`);
    try {
      const { stdout } = await execFileAsync(path, [...args], { timeout: TOOL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      const exitCode = typeof failed.code === 'number' ? failed.code : null;
      if (exitCode !== null && okCodes.includes(exitCode)) return failed.stdout ?? '';
      throw new DiskToolError([file, ...args], exitCode, failed.stderr ?? String(error));
    }
  },
  async has(file) {
    return (await locate(file)) !== null;
  },
};

/**
 * Removes a folder and everything in it with GNU `rm`, which walks by descriptors, opens each
 * folder with O_NOFOLLOW and checks it is the one it inspected: a folder swapped for a link while
 * it runs is never descended into (Node's own recursive rm walks by path names). It stays on the
 * folder's filesystem (a mount inside is left alone).
 */
export async function removeFolder(tools: DiskTools, path: string): Promise<void> {
  await tools.run('rm', ['-rf', '--one-file-system', '--', path]);
}
