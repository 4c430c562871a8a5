import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDaisError } from '@dais/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir';
import { selfSignedCertificate } from '../../test/support/self-signed-certificate';
import { CertificateStore } from './certificate-store';

describe('certificate store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: CertificateStore;

  beforeEach(async () => {
    dir = await tempDir('certificate-store');
    store = new CertificateStore(join(dir.path, 'certificates'));
    await store.init();
  });
  afterEach(() => dir.remove());

  it('stores a pair with tight permissions and reads it back checked', async () => {
    const pair = selfSignedCertificate(['shop.example.org', 'www.shop.example.org']);
    const saved = await store.save(7, pair.keyPem, pair.fullchainPem);
    expect(saved.hostnames).toEqual(['shop.example.org', 'www.shop.example.org']);
    expect(saved.notAfter.getTime()).toBeGreaterThan(Date.now() + 89 * 24 * 3600 * 1000);
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(store.dir, '7'))).mode & 0o777).toBe(0o700);
    expect((await stat(saved.keyFile)).mode & 0o777).toBe(0o600);
    expect(await store.loadAll()).toEqual([{ ok: true, certificate: saved }]);
  });

  it('keeps only the current pair and the one before it', async () => {
    const first = await store.save(7, ...pem(['a.example.org']));
    const second = await store.save(7, ...pem(['a.example.org']));
    const third = await store.save(7, ...pem(['a.example.org']));
    const files = await readdir(join(store.dir, '7'));
    expect(files.sort()).toEqual(['meta.json', ...[second, third].flatMap((c) => [base(c.certificateFile), base(c.keyFile)])].sort());
    expect(files).not.toContain(base(first.keyFile));
  });

  it('refuses to store a key that does not belong to the certificate', async () => {
    const one = selfSignedCertificate(['a.example.org']);
    const other = selfSignedCertificate(['a.example.org']);
    const failure = await store.save(7, other.keyPem, one.fullchainPem).catch((error: unknown) => error);
    expect(isDaisError(failure, 'ACME_FAILED')).toBe(true);
    expect(await readdir(store.dir)).toEqual([]);
  });

  it.each([
    [
      'a corrupt certificate',
      'fullchain',
      '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n',
      /not a readable PEM certificate/,
    ],
    ['a corrupt key', 'key', 'not a key', /not a readable PEM key/],
    ['a key from another pair', 'key', selfSignedCertificate(['a.example.org']).keyPem, /does not match/],
  ])('reports %s at load instead of serving it', async (_label, which, contents, problem) => {
    const saved = await store.save(7, ...pem(['a.example.org']));
    await writeFile(which === 'key' ? saved.keyFile : saved.certificateFile, contents);
    const [loaded] = await store.loadAll();
    expect(loaded).toMatchObject({ ok: false, siteId: 7 });
    expect(loaded?.ok === false && loaded.problem).toMatch(problem);
  });

  it('reports missing metadata and ignores folders that are not site ids', async () => {
    await store.save(7, ...pem(['a.example.org']));
    await writeFile(join(store.dir, '7', 'meta.json'), '{"pair":"../../etc/passwd"}');
    await writeFile(join(store.dir, 'not-a-site'), 'x');
    expect(await store.loadAll()).toEqual([{ ok: false, siteId: 7, problem: 'its metadata (meta.json) is missing or unreadable' }]);
  });

  it('removes a site and its files; removing twice is fine', async () => {
    await store.save(7, ...pem(['a.example.org']));
    await store.remove(7);
    await store.remove(7);
    expect(await store.loadAll()).toEqual([]);
  });
});

function pem(hostnames: string[]): [string, string] {
  const pair = selfSignedCertificate(hostnames);
  return [pair.keyPem, pair.fullchainPem];
}

function base(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
