import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';

/** Files of one complete configuration, by path relative to its folder; must include `nginx.conf`. */
export type ConfigFiles = Readonly<Record<string, string>>;

const GENERATION_DIR = /^gen-(\d{9})$/;
/** Written beside each generation's files: what they must contain, to notice hand edits. */
const MANIFEST = '.manifest.json';

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * Keeps each rendered configuration in its own folder (`generations/gen-000000042/`) and points
 * the `live` symlink at the active one. Switching is one atomic rename, and the previous
 * generation stays on disk to switch back to.
 */
export class GenerationStore {
  constructor(private readonly root: string) {}

  /** The symlink nginx reads through. */
  get liveDir(): string {
    return join(this.root, 'live');
  }

  /** The config file to start nginx with. */
  get liveConfFile(): string {
    return join(this.liveDir, 'nginx.conf');
  }

  /** Folder of a generation. */
  dirOf(generation: number): string {
    return join(this.root, 'generations', `gen-${String(generation).padStart(9, '0')}`);
  }

  /** The generation `live` points at, or null before the first activation. */
  async liveGeneration(): Promise<number | null> {
    const target = await readlink(this.liveDir).catch(() => null);
    const match = target === null ? null : GENERATION_DIR.exec(target.split('/').pop() ?? '');
    return match ? Number(match[1]) : null;
  }

  /** The highest generation number on disk (0 if none), so numbering continues across restarts. */
  async highestGeneration(): Promise<number> {
    const names = await readdir(join(this.root, 'generations')).catch(() => [] as string[]);
    return names.reduce((max, name) => Math.max(max, Number(GENERATION_DIR.exec(name)?.[1] ?? 0)), 0);
  }

  /** Writes a generation's files into a fresh folder and returns the path of its `nginx.conf`. */
  async stage(generation: number, files: ConfigFiles): Promise<string> {
    if (!files['nginx.conf']) throw new Error('a configuration must include nginx.conf');
    const dir = this.dirOf(generation);
    await rm(dir, { recursive: true, force: true });
    for (const [relative, content] of Object.entries(files)) {
      const path = normalize(join(dir, relative));
      if (!path.startsWith(`${dir}/`)) throw new Error(`config file ${relative} escapes its folder`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content, { mode: 0o644 });
    }
    const manifest = Object.fromEntries(Object.entries(files).map(([relative, content]) => [relative, sha256(content)]));
    await writeFile(join(dir, MANIFEST), JSON.stringify(manifest), { mode: 0o644 });
    return join(dir, 'nginx.conf');
  }

  /** What differs between the live generation on disk and what was written (empty when intact). */
  async liveProblems(): Promise<string[]> {
    const live = await this.liveGeneration();
    if (live === null) return ['no live configuration'];
    const dir = this.dirOf(live);
    const manifest = await readFile(join(dir, MANIFEST), 'utf8').then(
      (text) => JSON.parse(text) as Record<string, string>,
      () => null,
    );
    if (!manifest) return [`generation ${live} has no manifest`];
    const problems: string[] = [];
    for (const [relative, expected] of Object.entries(manifest)) {
      const actual = await readFile(join(dir, relative)).then(sha256, () => null);
      if (actual === null) problems.push(`${relative} is missing`);
      else if (actual !== expected) problems.push(`${relative} was changed`);
    }
    return problems;
  }

  /** Writes files into a throw-away folder (for `nginx -t` on a config that will never go live). */
  async stageScratch(files: ConfigFiles): Promise<{ confFile: string; dir: string; remove(): Promise<void> }> {
    const dir = join(this.root, 'scratch', `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
    for (const [relative, content] of Object.entries(files)) {
      const path = normalize(join(dir, relative));
      if (!path.startsWith(`${dir}/`)) throw new Error(`config file ${relative} escapes its folder`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content, { mode: 0o644 });
    }
    return { confFile: join(dir, 'nginx.conf'), dir, remove: () => rm(dir, { recursive: true, force: true }) };
  }

  /** Points `live` at the generation, atomically. */
  async activate(generation: number): Promise<void> {
    const temporary = join(this.root, `.live-${process.pid}-${Date.now()}`);
    await symlink(join('generations', `gen-${String(generation).padStart(9, '0')}`), temporary);
    await rename(temporary, this.liveDir);
  }

  /** Removes a generation's folder (e.g. one nginx refused). */
  async discard(generation: number): Promise<void> {
    await rm(this.dirOf(generation), { recursive: true, force: true });
  }

  /** Deletes all but the newest `keep` generations, never the live one. */
  async prune(keep: number): Promise<void> {
    const live = await this.liveGeneration();
    const names = (await readdir(join(this.root, 'generations')).catch(() => [] as string[])).filter((n) => GENERATION_DIR.test(n)).sort();
    for (const name of names.slice(0, Math.max(0, names.length - keep))) {
      if (Number(GENERATION_DIR.exec(name)?.[1]) !== live) await rm(join(this.root, 'generations', name), { recursive: true, force: true });
    }
  }
}
