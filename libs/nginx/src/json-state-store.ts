import { mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';

/** What {@link JsonStateStore.loadAll} could not read, so the caller can report it. */
export interface UnreadableEntry {
  file: string;
  reason: string;
}

/** Points at the folder holding the state once a whole state was written; absent, the store's own folder holds it. */
const CURRENT = 'current';
/** A whole state written at once, in the folder `current` points at. */
const SNAPSHOT = 'snapshot.json';
const ENTRY_FILE = /^\d+\.json$/;
const SNAPSHOT_DIR = /^state-[\w-]+$/;

/**
 * A folder of `<key>.json` files holding desired state that must survive a restart. Each write
 * goes to a temporary file first and is renamed into place, so a crash never leaves half a file.
 *
 * A whole state ({@link replaceAll}) is one `snapshot.json` in a fresh folder that the `current`
 * link is switched to atomically: 10,000 entries cost one file, not 10,000 (each file is a few
 * metadata operations, seconds in all on a busy disk). Later single-key writes go beside it as
 * `<key>.json`, a removal as `<key>.json` holding `null`, and win over the snapshot when read.
 */
export class JsonStateStore<S extends z.ZodType> {
  /** The folder entries are read from and written to (the store's own folder until a whole state is written). */
  private live: string | undefined;
  /** The last whole write and its clean-up: the next one waits for both (see {@link replaceAll}). */
  private lastReplace: Promise<void> = Promise.resolve();
  /** Tells apart the folders of whole writes made in the same millisecond. */
  private replaceCount = 0;

  constructor(
    private readonly dir: string,
    private readonly schema: S,
  ) {}

  /** Reads every entry; files that fail the schema are skipped and listed, never half-trusted. */
  async loadAll(): Promise<{ entries: Map<number, z.output<S>>; unreadable: UnreadableEntry[] }> {
    const live = await this.liveDir();
    const entries = new Map<number, z.output<S>>();
    const unreadable: UnreadableEntry[] = [];
    if (live !== this.dir) await this.loadSnapshot(live, entries, unreadable);
    const names = (await readdir(live)).filter((name) => ENTRY_FILE.test(name));
    // A few dozen reads at a time: 10,000 sites load in a fraction of the time one-by-one takes.
    await inBatches(names, async (name) => {
      const key = Number.parseInt(name, 10);
      try {
        const json: unknown = JSON.parse(await readFile(join(live, name), 'utf8'));
        if (json === null) {
          entries.delete(key);
          return;
        }
        const parsed = this.schema.safeParse(json);
        if (parsed.success) entries.set(key, parsed.data);
        else unreadable.push({ file: name, reason: parsed.error.issues[0]?.message ?? 'invalid' });
      } catch (error) {
        unreadable.push({ file: name, reason: error instanceof Error ? error.message : String(error) });
      }
    });
    return { entries, unreadable };
  }

  /** Writes (or with null, deletes) the given entries. */
  async persist(changes: ReadonlyMap<number, z.output<S> | null>): Promise<void> {
    const live = await this.liveDir();
    // Beside a snapshot a removal must be written down, or the snapshot's value would come back.
    const tombstones = live !== this.dir;
    await inBatches([...changes], async ([key, value]) => {
      const file = join(live, `${key}.json`);
      if (value === null && !tombstones) {
        await rm(file, { force: true });
      } else {
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(value), { mode: 0o600 });
        await rename(temporary, file);
      }
    });
  }

  /**
   * Replaces every entry with `state`: written to a fresh folder, then made live by one atomic
   * switch, so a crash leaves either the old state or the new one. The old entries are deleted
   * afterwards, without holding up the caller. Whole writes take turns, each after the previous
   * one's clean-up: that clean-up deletes every snapshot folder but its own, so running beside the
   * next write it would delete the folder that write just made live.
   */
  replaceAll(state: ReadonlyMap<number, z.output<S>>): Promise<void> {
    const written = this.lastReplace.then(() => this.writeWhole(state));
    this.lastReplace = written.then(
      ({ cleanUp }) => cleanUp,
      () => undefined,
    );
    return written.then(() => undefined);
  }

  private async writeWhole(state: ReadonlyMap<number, z.output<S>>): Promise<{ cleanUp: Promise<void> }> {
    const previous = await this.liveDir();
    const name = `state-${Date.now()}-${process.pid}-${++this.replaceCount}`;
    const next = join(this.dir, name);
    await mkdir(next, { recursive: true, mode: 0o700 });
    await writeFile(join(next, SNAPSHOT), JSON.stringify(Object.fromEntries(state)), { mode: 0o600 });
    const temporary = join(this.dir, `.${CURRENT}-${process.pid}-${Date.now()}`);
    await symlink(name, temporary);
    await rename(temporary, join(this.dir, CURRENT));
    this.live = next;
    return { cleanUp: this.removeStale(previous, name) };
  }

  private async liveDir(): Promise<string> {
    if (this.live) return this.live;
    await mkdir(this.dir, { recursive: true });
    const target = await readlink(join(this.dir, CURRENT)).catch(() => null);
    this.live = target === null ? this.dir : join(this.dir, target);
    return this.live;
  }

  private async loadSnapshot(live: string, entries: Map<number, z.output<S>>, unreadable: UnreadableEntry[]): Promise<void> {
    let snapshot: Record<string, unknown>;
    try {
      snapshot = JSON.parse(await readFile(join(live, SNAPSHOT), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      unreadable.push({ file: SNAPSHOT, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    for (const [key, value] of Object.entries(snapshot)) {
      const parsed = this.schema.safeParse(value);
      if (/^\d+$/.test(key) && parsed.success) entries.set(Number(key), parsed.data);
      else unreadable.push({ file: `${SNAPSHOT}#${key}`, reason: parsed.error?.issues[0]?.message ?? 'invalid key' });
    }
  }

  /** Deletes what no longer counts: older snapshot folders, and the entry files of the store's own folder. */
  private async removeStale(previous: string, keep: string): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const stale = names.filter((name) => (SNAPSHOT_DIR.test(name) && name !== keep) || (previous === this.dir && ENTRY_FILE.test(name)));
    // Leftovers are harmless (never read once `current` exists), so a failure here is ignored.
    await inBatches(stale, (name) => rm(join(this.dir, name), { recursive: true, force: true })).catch(() => undefined);
  }
}

/** Runs `task` over the items, at most `size` at once. */
async function inBatches<T>(items: readonly T[], task: (item: T) => Promise<void>, size = 32): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(task));
}
