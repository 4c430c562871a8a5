import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError } from '@dais/shared';
import { defaultIndexHtml } from './default-index';

/** The folders every site has: `public/` is served, `private/` is not, `.home/` is the shell user's home. */
export const SITE_FOLDERS = ['public', 'private', '.home'] as const;

/**
 * A site's files on this host, under `<data root>/sites/<id>/`. Creating and deleting go through
 * a rename, so a site folder is either complete or absent, never half made or half removed.
 */
export class SiteFiles {
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
   * Makes sure the site's folders exist. A new site gets a default `index.html`; an existing
   * site's content is left alone (an owner who deleted the page keeps it deleted).
   */
  async ensure(siteId: number, siteName: string): Promise<{ created: boolean }> {
    const dir = this.siteDir(siteId);
    try {
      if (await isDirectory(dir)) {
        for (const folder of SITE_FOLDERS) await mkdir(join(dir, folder), { recursive: true, mode: 0o755 });
        return { created: false };
      }
      const staging = join(this.dataRoot, 'sites', `.new-${siteId}-${randomBytes(4).toString('hex')}`);
      await mkdir(staging, { recursive: true, mode: 0o755 });
      for (const folder of SITE_FOLDERS) await mkdir(join(staging, folder), { mode: folder === 'public' ? 0o755 : 0o750 });
      await writeFile(join(staging, 'public', 'index.html'), defaultIndexHtml(siteName), { mode: 0o644 });
      await rename(staging, dir);
      return { created: true };
    } catch (error) {
      throw filesystemError(`prepare the folders of site ${siteId}`, error);
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
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

function filesystemError(what: string, error: unknown): DaisError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  return new DaisError('FILESYSTEM_ERROR', `Could not ${what} (${code}).`, undefined, { cause: error });
}
