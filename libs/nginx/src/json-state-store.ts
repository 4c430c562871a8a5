import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';

/** What {@link JsonStateStore.loadAll} could not read, so the caller can report it. */
export interface UnreadableEntry {
  file: string;
  reason: string;
}

/**
 * A folder of `<key>.json` files holding desired state that must survive a restart. Each write
 * goes to a temporary file first and is renamed into place, so a crash never leaves half a file.
 */
export class JsonStateStore<S extends z.ZodType> {
  constructor(
    private readonly dir: string,
    private readonly schema: S,
  ) {}

  /** Reads every entry; files that fail the schema are skipped and listed, never half-trusted. */
  async loadAll(): Promise<{ entries: Map<number, z.output<S>>; unreadable: UnreadableEntry[] }> {
    await mkdir(this.dir, { recursive: true });
    const entries = new Map<number, z.output<S>>();
    const unreadable: UnreadableEntry[] = [];
    const names = (await readdir(this.dir)).filter((name) => /^\d+\.json$/.test(name));
    // A few dozen reads at a time: 10,000 sites load in a fraction of the time one-by-one takes.
    await inBatches(names, async (name) => {
      try {
        const parsed = this.schema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        if (parsed.success) entries.set(Number.parseInt(name, 10), parsed.data);
        else unreadable.push({ file: name, reason: parsed.error.issues[0]?.message ?? 'invalid' });
      } catch (error) {
        unreadable.push({ file: name, reason: error instanceof Error ? error.message : String(error) });
      }
    });
    return { entries, unreadable };
  }

  /** Writes (or with null, deletes) the given entries. */
  async persist(changes: ReadonlyMap<number, z.output<S> | null>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await inBatches([...changes], async ([key, value]) => {
      const file = join(this.dir, `${key}.json`);
      if (value === null) {
        await rm(file, { force: true });
      } else {
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(value), { mode: 0o600 });
        await rename(temporary, file);
      }
    });
  }
}

/** Runs `task` over the items, at most `size` at once. */
async function inBatches<T>(items: readonly T[], task: (item: T) => Promise<void>, size = 32): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(task));
}
