import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DaisError } from '@dais/shared';
import { inspectCertificatePair } from './certificate-inspection';

/** A certificate on disk that was checked and may be served. */
export interface StoredCertificate {
  siteId: number;
  /** Hostnames the certificate covers, sorted. */
  hostnames: string[];
  notAfter: Date;
  certificateFile: string;
  keyFile: string;
}

/** One site folder as found at startup: a servable certificate, or why it is not. */
export type LoadedCertificate = { ok: true; certificate: StoredCertificate } | { ok: false; siteId: number; problem: string };

const PAIR_NAME = /^[a-z0-9]{6,40}$/;
const metaSchema = z.strictObject({
  pair: z.string().regex(PAIR_NAME),
  previousPair: z.string().regex(PAIR_NAME).nullable(),
  hostnames: z.array(z.string().max(253)).min(1),
  notAfter: z.iso.datetime(),
});
type Meta = z.output<typeof metaSchema>;

/**
 * One certificate per site, in `<dir>/<siteId>/` (0700): `<pair>.key.pem` (0600),
 * `<pair>.fullchain.pem` (0600) and `meta.json`, which names the current pair. A new pair is
 * written under a fresh name and `meta.json` is then replaced by rename: that rename is the
 * commit, so a crash leaves either the old pair or the new one, never half of each. The
 * previous pair is kept until the next one, because a restored older nginx generation may
 * still name it.
 */
export class CertificateStore {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
  }

  /** Reads and checks every site's certificate; a broken one is reported, never thrown. */
  async loadAll(): Promise<LoadedCertificate[]> {
    const loaded: LoadedCertificate[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^[1-9][0-9]{0,15}$/.test(name)) continue;
      loaded.push(await this.load(Number(name)));
    }
    return loaded;
  }

  /** Checks the pair, writes it and makes it the site's current certificate. */
  async save(siteId: number, keyPem: string, fullchainPem: string): Promise<StoredCertificate> {
    const inspection = inspectCertificatePair(keyPem, fullchainPem);
    if (!inspection.ok) throw new DaisError('ACME_FAILED', `The ACME server returned an unusable certificate: ${inspection.problem}.`);
    const siteDir = this.siteDir(siteId);
    const pair = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    const previous = await this.readMeta(siteId).catch(() => null);
    try {
      await mkdir(siteDir, { recursive: true, mode: 0o700 });
      await chmod(siteDir, 0o700);
      await writeFile(join(siteDir, `${pair}.key.pem`), keyPem, { mode: 0o600 });
      await writeFile(join(siteDir, `${pair}.fullchain.pem`), fullchainPem, { mode: 0o600 });
      const meta: Meta = {
        pair,
        previousPair: previous?.pair ?? null,
        hostnames: inspection.facts.hostnames,
        notAfter: inspection.facts.notAfter.toISOString(),
      };
      const temp = join(siteDir, `meta.json.${pair}`);
      await writeFile(temp, `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, join(siteDir, 'meta.json'));
      await this.prune(siteDir, [pair, meta.previousPair]);
      return this.describe(siteId, meta);
    } catch (error) {
      throw new DaisError('FILESYSTEM_ERROR', `Could not store the certificate of site ${siteId}.`, undefined, { cause: error });
    }
  }

  /** Deletes the site's key and certificates. Removing a site without any is not an error. */
  async remove(siteId: number): Promise<void> {
    await rm(this.siteDir(siteId), { recursive: true, force: true });
  }

  private async load(siteId: number): Promise<LoadedCertificate> {
    let meta: Meta;
    try {
      meta = await this.readMeta(siteId);
    } catch {
      return { ok: false, siteId, problem: 'its metadata (meta.json) is missing or unreadable' };
    }
    const stored = this.describe(siteId, meta);
    let keyPem: string;
    let fullchainPem: string;
    try {
      [keyPem, fullchainPem] = await Promise.all([readFile(stored.keyFile, 'utf8'), readFile(stored.certificateFile, 'utf8')]);
    } catch {
      return { ok: false, siteId, problem: 'its key or certificate file is missing' };
    }
    const inspection = inspectCertificatePair(keyPem, fullchainPem);
    if (!inspection.ok) return { ok: false, siteId, problem: inspection.problem };
    // The files, not the metadata, decide what is served.
    return { ok: true, certificate: { ...stored, hostnames: inspection.facts.hostnames, notAfter: inspection.facts.notAfter } };
  }

  private async readMeta(siteId: number): Promise<Meta> {
    return metaSchema.parse(JSON.parse(await readFile(join(this.siteDir(siteId), 'meta.json'), 'utf8')));
  }

  private describe(siteId: number, meta: Meta): StoredCertificate {
    const siteDir = this.siteDir(siteId);
    return {
      siteId,
      hostnames: meta.hostnames,
      notAfter: new Date(meta.notAfter),
      certificateFile: join(siteDir, `${meta.pair}.fullchain.pem`),
      keyFile: join(siteDir, `${meta.pair}.key.pem`),
    };
  }

  /** Removes pairs other than `keep` (and leftovers of interrupted writes). */
  private async prune(siteDir: string, keep: (string | null)[]): Promise<void> {
    for (const name of await readdir(siteDir)) {
      if (name === 'meta.json') continue;
      const pair = name.split('.')[0] ?? '';
      if (!name.startsWith('meta.json.') && keep.includes(pair)) continue;
      await rm(join(siteDir, name), { force: true });
    }
  }

  private siteDir(siteId: number): string {
    if (!Number.isSafeInteger(siteId) || siteId < 1) throw new DaisError('VALIDATION_FAILED', `Invalid site id ${siteId}.`);
    return join(this.dir, String(siteId));
  }
}
