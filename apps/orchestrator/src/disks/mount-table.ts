import { readFile } from 'node:fs/promises';

/** One mounted filesystem, from /proc/self/mountinfo. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  /** What is mounted: a device (`/dev/loop3`), or a name for virtual filesystems. */
  source: string;
  /** Per-mount options (`rw`, `nodev`, …) and the filesystem's own (`prjquota`, …). */
  options: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Parses mountinfo lines: `id parent major:minor root mountpoint options [optional…] - type source superoptions`.
 * Lines that do not have that shape are skipped.
 */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    const mountOptions = fields[5];
    const [fsType, source, superOptions] = fields.slice(separator + 1);
    if (separator < 0 || !mountPoint || !mountOptions || !fsType || source === undefined || superOptions === undefined) continue;
    entries.push({
      mountPoint: unescape(mountPoint),
      fsType,
      source: unescape(source),
      options: [...mountOptions.split(','), ...superOptions.split(',')],
    });
  }
  return entries;
}

/** This process's mounts, as the kernel lists them now. */
export async function readMountTable(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** The filesystem mounted exactly at `path` (the topmost, when several are stacked), if any. */
export function mountAt(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  return entries.findLast((entry) => entry.mountPoint === path);
}

/** The filesystem `path` is on: the mount with the longest mount point that contains it. */
export function mountContaining(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const inside = entry.mountPoint === '/' || path === entry.mountPoint || path.startsWith(`${entry.mountPoint}/`);
    if (inside && (!best || entry.mountPoint.length >= best.mountPoint.length)) best = entry;
  }
  return best;
}
