import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chown, lchown, lstat, mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError, type SiteDiskUsage } from '@dais/shared';
import { removeFolder, systemDiskTools, type Quiesce, type SiteDisks } from '../disks';
import { defaultIndexHtml } from './default-index';

/** The folders every site has: `public/` is served, `private/` is not, `.home/` is the shell user's home. */
export const SITE_FOLDERS = ['public', 'private', '.home'] as const;

/** Permission bits of each site folder: nginx's workers must enter `public/`, nobody else the others. */
const FOLDER_MODES: Record<(typeof SITE_FOLDERS)[number], number> = { public: 0o755, private: 0o750, '.home': 0o750 };

/** A new file that never follows a link at its name and fails if anything is there already. */
const CREATE_NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Who owns a site's files: its processes run as this uid/gid. */
export interface SiteOwner {
  uid: number;
}

/** The site a folder is ensured for. */
export interface SiteFolderSpec {
  id: number;
  name: string;
  diskLimitMb: number;
}

/** What {@link SiteDirectories.ensure} did: made the folder, or repaired it (each repair as a sentence for the owner). */
export interface EnsuredFiles {
  created: boolean;
  notes: string[];
  /** The folder was mounted just now: containers started before it saw the empty folder beneath. */
  remounted: boolean;
}

/**
 * A site's files on this host, under `<data root>/sites/<id>/`, each folder held to the site's
 * disk limit by the disk driver (see {@link SiteDisks}). A new folder is filled in a staging
 * folder first and handed to the driver whole, so a site folder is either complete or absent.
 *
 * The orchestrator runs as root, and everything inside a site folder is the site's to change
 * (its processes run as its own user there). So nothing here ever follows a name inside a site
 * folder: entries are inspected with lstat, made with O_EXCL | O_NOFOLLOW or mkdir, handed over
 * with fchown or lchown, and trees are removed by a walker that refuses links. Only the path
 * down to the site folder itself (`<data root>/sites/<id>`, owned by root) is trusted.
 */
export class SiteDirectories {
  /** chown needs root; without it (a developer's unprivileged run) files keep their creator. */
  private readonly canChown = process.getuid?.() === 0;

  constructor(
    private readonly dataRoot: string,
    private readonly disks: SiteDisks,
  ) {}

  /** Whether site folders are held to their disk limit here (a disk driver other than `none`). */
  get enforcesLimits(): boolean {
    return this.disks.kind !== 'none';
  }

  /** The folder holding every site folder (root's; no site can change a name in it). */
  get sitesRoot(): string {
    return join(this.dataRoot, 'sites');
  }

  /** The folder holding a site's files. */
  siteDir(siteId: number): string {
    return join(this.sitesRoot, String(siteId));
  }

  /** The folder nginx serves for a static site. */
  publicDir(siteId: number): string {
    return join(this.siteDir(siteId), 'public');
  }

  /**
   * Makes sure the site's folders exist, owned by the site's user, with the site's disk limit. A
   * new site gets a default `index.html`; an existing site's content is left alone (a deleted page
   * stays deleted), but a folder that is missing is made again and one replaced by anything else
   * (a symbolic link, a file) is moved aside and made again; `notes` says so, and says when the
   * limit could not be changed as asked. `quiesce` stops the site's containers, for a limit that
   * can only change with the folder unmounted (null: such a change waits for the next apply).
   */
  async ensure(site: SiteFolderSpec, owner: SiteOwner, quiesce: Quiesce): Promise<EnsuredFiles> {
    const siteId = site.id;
    const dir = this.siteDir(siteId);
    try {
      const attached = await this.disks.attach(siteId);
      if (attached.exists) {
        const notes = [...(await this.disks.setLimit(siteId, site.diskLimitMb, quiesce)), ...(await this.repairFolders(dir, owner))];
        return { created: false, notes, remounted: attached.remounted };
      }
      const staging = join(this.sitesRoot, `.new-${siteId}-${randomBytes(4).toString('hex')}`);
      await mkdir(staging, { recursive: true, mode: 0o755 });
      for (const folder of SITE_FOLDERS) await mkdir(join(staging, folder), { mode: FOLDER_MODES[folder] });
      await writeFile(join(staging, 'public', 'index.html'), defaultIndexHtml(site.name), { mode: 0o644 });
      // Nothing in the staging folder is the site's yet: plain paths are safe until the rename.
      for (const path of [staging, ...SITE_FOLDERS.map((folder) => join(staging, folder)), join(staging, 'public', 'index.html')])
        await this.own(path, owner);
      await this.disks.create(siteId, staging, site.diskLimitMb, owner);
      return { created: true, notes: [], remounted: false };
    } catch (error) {
      throw filesystemError(`prepare the folders of site ${siteId}`, error);
    }
  }

  /**
   * Whether the site has a `run.sh` to start its container with. A symlink counts: it is
   * resolved inside the container, where only the site folder is mounted.
   */
  async hasRunScript(siteId: number): Promise<boolean> {
    const entry = await lstatOrNull(join(this.siteDir(siteId), 'run.sh'));
    return entry !== null && !entry.isDirectory();
  }

  /** Writes a starting `run.sh` if the site has none (never through a link the site put there). */
  async ensureRunScript(siteId: number, script: string, owner: SiteOwner): Promise<void> {
    const path = join(this.siteDir(siteId), 'run.sh');
    if (await lstatOrNull(path)) return;
    try {
      const handle = await open(path, CREATE_NEW_FILE, 0o755);
      try {
        await handle.writeFile(script);
        await handle.chmod(0o755);
        if (this.canChown) await handle.chown(owner.uid, owner.uid);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw filesystemError(`write run.sh for site ${siteId}`, error);
    }
  }

  /** Deletes a site's files (and its disk image), gone from view first; nothing is followed on the way. */
  async remove(siteId: number): Promise<{ removed: boolean }> {
    try {
      return { removed: await this.disks.remove(siteId) };
    } catch (error) {
      throw filesystemError(`delete the files of site ${siteId}`, error);
    }
  }

  /** How much of its disk limit the site uses; null when this host sets no limit. */
  usage(siteId: number): Promise<SiteDiskUsage | null> {
    return this.disks.usage(siteId).catch(() => null);
  }

  /** Removes leftovers of interrupted creates and deletes, then lets the disk driver restore its mounts. */
  async prepare(): Promise<void> {
    await mkdir(this.sitesRoot, { recursive: true, mode: 0o755 });
    for (const name of await readdir(this.sitesRoot)) {
      if (name.startsWith('.new-') || name.startsWith('.trash-')) await removeFolder(systemDiskTools, join(this.sitesRoot, name));
    }
    await this.disks.prepare();
  }

  /**
   * Makes each site folder a real folder again. Everything here acts on one name in the site
   * folder (which the site cannot replace) and none of it follows a link: lstat, rename, mkdir,
   * lchown. A swap in between makes a step fail (the next ensure tries again), never reach outside.
   */
  private async repairFolders(dir: string, owner: SiteOwner): Promise<string[]> {
    const notes: string[] = [];
    for (const folder of SITE_FOLDERS) {
      const path = join(dir, folder);
      const entry = await lstatOrNull(path);
      if (entry?.isDirectory()) continue;
      if (entry) {
        const aside = `${folder}.moved-${timestamp()}-${randomBytes(2).toString('hex')}`;
        await rename(path, join(dir, aside));
        notes.push(`${folder} was ${describeEntry(entry)}, not a folder: Dais moved it to ${aside} and made an empty ${folder} folder.`);
      } else {
        notes.push(`${folder} was missing: Dais made an empty ${folder} folder.`);
      }
      await mkdir(path, { mode: FOLDER_MODES[folder] });
      if (this.canChown) await lchown(path, owner.uid, owner.uid);
    }
    return notes;
  }

  private async own(path: string, owner: SiteOwner): Promise<void> {
    if (this.canChown) await chown(path, owner.uid, owner.uid);
  }
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  return lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
}

function describeEntry(entry: Stats): string {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isFile()) return 'a file';
  return 'a special file';
}

/** A moment as part of a file name: `20261207-030653`. */
function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

function filesystemError(what: string, error: unknown): DaisError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  return new DaisError('FILESYSTEM_ERROR', `Could not ${what} (${code}).`, undefined, { cause: error });
}
