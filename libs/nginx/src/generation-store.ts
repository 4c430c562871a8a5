import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';

/** Files of one complete configuration, by path relative to its folder; must include `nginx.conf`. */
export type ConfigFiles = Readonly<Record<string, string>>;

const GENERATION_DIR = /^gen-(\d{9})$/;

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
    return join(dir, 'nginx.conf');
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
