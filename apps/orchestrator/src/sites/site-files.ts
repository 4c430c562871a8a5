import { randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError } from '@dais/shared';
import { defaultIndexHtml } from './default-index';

/** The folders every site has: `public/` is served, `private/` is not, `.home/` is the shell user's home. */
export const SITE_FOLDERS = ['public', 'private', '.home'] as const;

/** Who owns a site's files: its processes run as this uid/gid. */
export interface SiteOwner {
  uid: number;
}

/**
 * A site's files on this host, under `<data root>/sites/<id>/`. Creating and deleting go through
 * a rename, so a site folder is either complete or absent, never half made or half removed.
 */
export class SiteFiles {
  /** chown needs root; without it (a developer's unprivileged run) files keep their creator. */
  private readonly canChown = process.getuid?.() === 0;

  constructor(private readonly dataRoot: string) {}

  /** The folder holding a site's files. */
  siteDir(siteId: number): string {
    return join(this.dataRoot, 'sites', String(siteId));
  }

  /** The folder nginx serves for a static site. */
  publicDir(siteId: number): string {
    return join(this.siteDir(siteId), 'public');
  }

  /**
   * Makes sure the site's folders exist, owned by the site's user. A new site gets a default
   * `index.html`; an existing site's content is left alone (a deleted page stays deleted).
   */
  async ensure(siteId: number, siteName: string, owner: SiteOwner): Promise<{ created: boolean }> {
    const dir = this.siteDir(siteId);
    try {
      if (await isDirectory(dir)) {
        for (const folder of SITE_FOLDERS) {
          const path = join(dir, folder);
          if (!(await isDirectory(path))) {
            await mkdir(path, { mode: 0o755 });
            await this.own(path, owner);
          }
        }
        return { created: false };
      }
      const staging = join(this.dataRoot, 'sites', `.new-${siteId}-${randomBytes(4).toString('hex')}`);
      await mkdir(staging, { recursive: true, mode: 0o755 });
      for (const folder of SITE_FOLDERS) await mkdir(join(staging, folder), { mode: folder === 'public' ? 0o755 : 0o750 });
      await writeFile(join(staging, 'public', 'index.html'), defaultIndexHtml(siteName), { mode: 0o644 });
      for (const path of [staging, ...SITE_FOLDERS.map((folder) => join(staging, folder)), join(staging, 'public', 'index.html')])
        await this.own(path, owner);
      await rename(staging, dir);
      return { created: true };
    } catch (error) {
      throw filesystemError(`prepare the folders of site ${siteId}`, error);
    }
  }

  /**
   * Whether the site has a `run.sh` to start its container with. A symlink counts: it is
   * resolved inside the container, where only the site folder is mounted.
   */
  async hasRunScript(siteId: number): Promise<boolean> {
    const entry = await lstat(join(this.siteDir(siteId), 'run.sh')).catch(() => null);
    return entry !== null && !entry.isDirectory();
  }

  /** Writes a starting `run.sh` if the site has none. */
  async ensureRunScript(siteId: number, script: string, owner: SiteOwner): Promise<void> {
    const path = join(this.siteDir(siteId), 'run.sh');
    if (await lstat(path).catch(() => null)) return;
    try {
      await writeFile(path, script, { mode: 0o755, flag: 'wx' });
      await this.own(path, owner);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw filesystemError(`write run.sh for site ${siteId}`, error);
    }
  }

  /** Deletes a site's files: moved aside first (instantly gone from view), then removed. */
  async remove(siteId: number): Promise<{ removed: boolean }> {
    const dir = this.siteDir(siteId);
    if (!(await isDirectory(dir))) return { removed: false };
    const trash = join(this.dataRoot, 'sites', `.trash-${siteId}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(dir, trash);
      await rm(trash, { recursive: true, force: true });
      return { removed: true };
    } catch (error) {
      throw filesystemError(`delete the files of site ${siteId}`, error);
    }
  }

  /** Removes leftovers of interrupted creates and deletes. */
  async sweepLeftovers(): Promise<void> {
    const root = join(this.dataRoot, 'sites');
    await mkdir(root, { recursive: true, mode: 0o755 });
    for (const name of await readdir(root)) {
      if (name.startsWith('.new-') || name.startsWith('.trash-')) await rm(join(root, name), { recursive: true, force: true });
    }
  }

  private async own(path: string, owner: SiteOwner): Promise<void> {
    if (this.canChown) await chown(path, owner.uid, owner.uid);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

function filesystemError(what: string, error: unknown): DaisError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  return new DaisError('FILESYSTEM_ERROR', `Could not ${what} (${code}).`, undefined, { cause: error });
}
