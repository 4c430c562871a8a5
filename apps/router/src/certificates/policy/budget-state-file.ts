import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { SlidingWindowSnapshot } from './sliding-window';

/** The budget's windows by name, as saved. */
export type BudgetSnapshot = Record<string, SlidingWindowSnapshot>;

const windowSchema = z.object({
  saturatedUntil: z.number().int().nonnegative().optional(),
  // A key is a hostname, a registered domain or an exact set of up to 100 hostnames.
  events: z.array(z.tuple([z.string().max(65_536), z.array(z.number().int().nonnegative())])),
});

const fileSchema = z.object({
  version: z.literal(1),
  // Arrays of [key, times] rather than objects keyed by hostname: no key can be "__proto__".
  windows: z.array(z.tuple([z.string().max(64), windowSchema])),
});

/** What {@link readBudgetFile} found. */
export type BudgetFileContents =
  | { status: 'missing' }
  | { status: 'ok'; windows: BudgetSnapshot }
  /** Unreadable: `lastWrite` bounds the newest event it could have held; the file was moved aside. */
  | { status: 'corrupt'; reason: string; lastWrite: number; movedTo: string | null };

/** Reads the saved budget. A file that cannot be trusted is moved aside (kept for inspection), never half-read. */
export async function readBudgetFile(file: string, now: number): Promise<BudgetFileContents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return corrupt(file, now, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return corrupt(file, now, 'is not valid JSON');
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return corrupt(file, now, `does not match the expected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const windows: BudgetSnapshot = Object.create(null) as BudgetSnapshot;
  for (const [name, window] of parsed.data.windows) windows[name] = window;
  return { status: 'ok', windows };
}

/** Saves the budget atomically: a private temporary file, flushed to disk, renamed over the old one. */
export async function writeBudgetFile(file: string, windows: BudgetSnapshot): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const body = JSON.stringify({ version: 1, windows: Object.entries(windows) });
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function corrupt(file: string, now: number, reason: string): Promise<BudgetFileContents> {
  // The file cannot hold an event newer than its last write; a clock that jumped back is ignored.
  const modified = (await stat(file).catch(() => null))?.mtimeMs;
  const lastWrite = modified === undefined ? now : Math.min(Math.floor(modified), now);
  const movedTo = `${file}.corrupt-${now}`;
  const moved = await rename(file, movedTo).then(
    () => true,
    () => false,
  );
  return { status: 'corrupt', reason, lastWrite, movedTo: moved ? movedTo : null };
}
