import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points at or under `root`, deepest first (as /proc/self/mountinfo lists them, unescaped). */
export async function mountsUnder(root: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((field) => field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === root || point.startsWith(`${root}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Loop devices whose backing file is under `root` (`losetup -a` lines: `/dev/loop3: []: (/path/1.img)`). */
export async function loopDevicesUnder(root: string): Promise<string[]> {
  const { stdout } = await run('losetup', ['-a']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`(${root}/`))
    .map((line) => line.split(':')[0] ?? '')
    .filter(Boolean);
}

/**
 * Cleanup for tests that loop-mount site images: unmounts everything under `root` and detaches
 * every loop device backed by a file under it, whatever state a failed test left.
 */
export async function unmountEverythingUnder(root: string): Promise<void> {
  for (const point of await mountsUnder(root)) await run('umount', ['-l', point]).catch(() => undefined);
  for (const device of await loopDevicesUnder(root)) await run('losetup', ['-d', device]).catch(() => undefined);
}
