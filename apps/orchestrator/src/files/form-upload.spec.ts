import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formBoundaryOf, isDaisError } from '@dais/shared';
import { storeFormUpload, type FormUploadOptions } from './form-upload';
import { SiteFolder } from './site-folder';

type Part = { name: string; filename?: string; content: string | Buffer };

/** A multipart body exactly as a browser's FormData sends it (serialised by Node's own fetch). */
async function formData(parts: Part[]): Promise<{ body: Buffer; boundary: string }> {
  const form = new FormData();
  for (const part of parts) {
    if (part.filename === undefined) form.append(part.name, part.content.toString());
    else form.append(part.name, new Blob([part.content]), part.filename);
  }
  const response = new Response(form);
  const boundary = formBoundaryOf(response.headers.get('content-type') ?? '');
  if (boundary === null) throw new Error('no boundary');
  return { body: Buffer.from(await response.arrayBuffer()), boundary };
}

/** A multipart body written by hand, for what FormData cannot send (raw names, a missing end). */
function handMade(boundary: string, parts: { disposition: string; content: string }[], closed = true): Buffer {
  const sections = parts.map((part) => `--${boundary}\r\nContent-Disposition: ${part.disposition}\r\n\r\n${part.content}\r\n`);
  return Buffer.from(`${sections.join('')}${closed ? `--${boundary}--\r\n` : ''}`);
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

describe('storeFormUpload (multipart uploads into a folder, all or nothing)', () => {
  let base: string;
  let folder: SiteFolder;
  const publicDir = () => join(base, 'site', 'public');

  async function store(body: Buffer | AsyncIterable<Uint8Array>, options: Partial<FormUploadOptions> & { boundary: string }) {
    const signed = Buffer.isBuffer(body) ? { size: body.length, sha256: sha256(body) } : { size: 0, sha256: '' };
    const source = Buffer.isBuffer(body) ? chunked(body) : body;
    return storeFormUpload(folder, source, { folder: '/public', overwrite: true, maxFiles: 5, maxFileBytes: 1024, ...signed, ...options });
  }
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => (isDaisError(error) ? error.code : String(error)),
    );
  /** What is in public/ besides index.html: nothing after a refusal (no temporary file either). */
  const leftovers = async () => (await readdir(publicDir())).filter((name) => name !== 'index.html').sort();

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dais-form-upload-'));
    await mkdir(publicDir(), { recursive: true });
    await writeFile(join(publicDir(), 'index.html'), 'old');
    folder = new SiteFolder({ root: join(base, 'site'), owner: null });
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('stores every file under its own name, in body order, and leaves no temporary file', async () => {
    const { body, boundary } = await formData([
      { name: 'file', filename: 'a.txt', content: 'alpha' },
      { name: 'file', filename: 'héllo wörld.bin', content: Buffer.from([0, 1, 2, 255]) },
      { name: 'file', filename: 'empty', content: '' },
    ]);
    const result = await store(body, { boundary });
    expect(result.path).toBe('/public');
    expect(result.entries.map((entry) => [entry.name, entry.size])).toEqual([
      ['a.txt', 5],
      ['héllo wörld.bin', 4],
      ['empty', 0],
    ]);
    expect(await readFile(join(publicDir(), 'a.txt'), 'utf8')).toBe('alpha');
    expect([...(await readFile(join(publicDir(), 'héllo wörld.bin')))]).toEqual([0, 1, 2, 255]);
    expect(await leftovers()).toEqual(['a.txt', 'empty', 'héllo wörld.bin']);
  });

  it('replaces a file keeping its mode, or refuses FILE_EXISTS without overwrite, storing none of the files', async () => {
    await chmod(join(publicDir(), 'index.html'), 0o600);
    const { body, boundary } = await formData([
      { name: 'file', filename: 'new.txt', content: 'new' },
      { name: 'file', filename: 'index.html', content: 'replaced' },
    ]);
    expect(await codeOf(store(body, { boundary, overwrite: false }))).toBe('FILE_EXISTS');
    expect(await readFile(join(publicDir(), 'index.html'), 'utf8')).toBe('old');
    expect(await leftovers()).toEqual([]);
    await store(body, { boundary });
    expect(await readFile(join(publicDir(), 'index.html'), 'utf8')).toBe('replaced');
    expect((await stat(join(publicDir(), 'index.html'))).mode & 0o777).toBe(0o600);
  });

  it('stores nothing when the body is not the one signed: other bytes, fewer or more', async () => {
    const { body, boundary } = await formData([{ name: 'file', filename: 'a.txt', content: 'alpha' }]);
    const tampered = Buffer.from(body.toString('latin1').replace('alpha', 'omega'), 'latin1');
    const signed = { size: body.length, sha256: sha256(body) };
    expect(await codeOf(store(tampered, { boundary, ...signed }))).toBe('SIGNATURE_INVALID');
    expect(await codeOf(store(body, { boundary, ...signed, size: body.length - 1 }))).toBe('SIGNATURE_INVALID');
    expect(await codeOf(store(body, { boundary, ...signed, size: body.length + 1 }))).toBe('SIGNATURE_INVALID');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a hostile file name in any part, leaving the parts before it unstored', async () => {
    for (const hostile of ['../escape.txt', '..', '/etc/passwd', 'a\\b', 'nul\u0000.txt', 'x'.repeat(256), '.dais-upload-x']) {
      const { body, boundary } = await formData([
        { name: 'file', filename: 'first.txt', content: 'first' },
        { name: 'file', filename: hostile, content: 'pwned' },
      ]);
      expect(await codeOf(store(body, { boundary })), JSON.stringify(hostile)).toBe('PATH_INVALID');
      expect(await leftovers()).toEqual([]);
    }
    await expect(stat(join(base, 'site', 'escape.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses plain fields, other field names, a name sent twice and a form without files', async () => {
    const cases: [Part[], string][] = [
      [
        [
          { name: 'file', filename: 'a.txt', content: 'a' },
          { name: 'comment', content: 'hi' },
        ],
        'VALIDATION_FAILED',
      ],
      [[{ name: 'upload', filename: 'a.txt', content: 'a' }], 'VALIDATION_FAILED'],
      [
        [
          { name: 'file', filename: 'a.txt', content: 'a' },
          { name: 'file', filename: 'a.txt', content: 'b' },
        ],
        'VALIDATION_FAILED',
      ],
      [[], 'VALIDATION_FAILED'],
    ];
    for (const [parts, code] of cases) {
      const { body, boundary } = await formData(parts);
      expect(await codeOf(store(body, { boundary })), JSON.stringify(parts)).toBe(code);
      expect(await leftovers()).toEqual([]);
    }
  });

  it('refuses too many files (PAYLOAD_TOO_LARGE) and a file past the cap (FILE_TOO_LARGE)', async () => {
    const many = await formData(Array.from({ length: 6 }, (_, i) => ({ name: 'file', filename: `f${i}`, content: 'x' })));
    expect(await codeOf(store(many.body, { boundary: many.boundary }))).toBe('PAYLOAD_TOO_LARGE');
    const large = await formData([{ name: 'file', filename: 'big', content: Buffer.alloc(1025) }]);
    expect(await codeOf(store(large.body, { boundary: large.boundary }))).toBe('FILE_TOO_LARGE');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a body cut before its closing boundary, and one whose source fails midway', async () => {
    const boundary = 'dais-test-boundary';
    const cut = handMade(boundary, [{ disposition: 'form-data; name="file"; filename="a.txt"', content: 'alpha' }], false);
    expect(await codeOf(store(cut, { boundary }))).toBe('VALIDATION_FAILED');
    const full = await formData([{ name: 'file', filename: 'a.txt', content: 'a'.repeat(900) }]);
    async function* aborted() {
      yield full.body.subarray(0, 400);
      // The connection breaks a moment later, while the first part is being written.
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    expect(await codeOf(store(aborted(), { boundary: full.boundary, size: full.body.length, sha256: sha256(full.body) }))).not.toBe('ok');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses an empty file name, and a hostile one sent encoded (filename*=)', async () => {
    const boundary = 'dais-test-boundary';
    const unnamed = handMade(boundary, [{ disposition: 'form-data; name="file"; filename=""', content: 'x' }]);
    expect(await codeOf(store(unnamed, { boundary }))).toBe('PATH_INVALID');
    const encoded = handMade(boundary, [{ disposition: `form-data; name="file"; filename*=utf-8''%2e%2e%2fescape`, content: 'x' }]);
    expect(await codeOf(store(encoded, { boundary }))).toBe('PATH_INVALID');
    expect(await leftovers()).toEqual([]);
  });

  it('stays in the site folder: a folder through a link, or a file name that is a folder, is refused', async () => {
    await symlink(base, join(publicDir(), 'out'));
    await mkdir(join(publicDir(), 'taken'));
    const { body, boundary } = await formData([{ name: 'file', filename: 'taken', content: 'x' }]);
    expect(await codeOf(store(body, { boundary, folder: '/public/out' }))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(store(body, { boundary, folder: '/../..' }))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(store(body, { boundary }))).toBe('IS_A_DIRECTORY');
    expect(await leftovers()).toEqual(['out', 'taken']);
    expect(await readdir(join(publicDir(), 'taken'))).toEqual([]);
  });
});

/** The body in small chunks, as a network delivers it, so parts straddle chunk edges. */
function chunked(body: Buffer): AsyncIterable<Uint8Array> {
  return Readable.from(Array.from({ length: Math.ceil(body.length / 7) }, (_, i) => body.subarray(i * 7, i * 7 + 7)));
}
