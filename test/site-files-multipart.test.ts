import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, type OperationView, type SiteView } from '@dais/shared';
import { REPO_ROOT } from './support/dev-env';
import { HOSTILE_PATHS, plantedLinks, THROUGH_LINKS } from './support/hostile-paths';
import { TestStack } from './support/stack';

const run = promisify(execFile);
const UPLOAD_CAP = 1024 * 1024;
type Answer = { status: number; text: string; json: unknown };
type Entry = { name: string; type: string; size: number };

/** A form with these files under the field `file`, as a dashboard's drag-and-drop builds it. */
function formOf(files: Record<string, string | Buffer>, field = 'file'): FormData {
  const form = new FormData();
  for (const [name, content] of Object.entries(files))
    form.append(field, new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return form;
}

/** The bytes and Content-Type Node's fetch sends for a form (to sign, tamper with or send by hand). */
async function serialised(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const response = new Response(form);
  return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' };
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

describe('multipart uploads (POST /api/sites/:id/files/upload): all files or none, inside the folder', () => {
  let stack: TestStack;
  let site: SiteView;
  let siteDir: string;
  let canaryDir: string;
  const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

  /** Sends a form (or raw bytes with a Content-Type) to the manager's upload route. */
  async function upload(
    body: FormData | { bytes: Buffer | ReadableStream; contentType: string },
    options: { token?: string | null; query?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? tokens.alice : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (!(body instanceof FormData)) headers['content-type'] = body.contentType;
    const search = new URLSearchParams(options.query ?? { path: '/public' }).toString();
    const sent = body instanceof FormData ? body : body.bytes instanceof ReadableStream ? body.bytes : new Uint8Array(body.bytes);
    const response = await fetch(`http://127.0.0.1:${stack.ports.manager}/api/sites/${site.id}/files/upload?${search}`, {
      method: 'POST',
      headers,
      body: sent,
      ...(sent instanceof ReadableStream ? { duplex: 'half' } : {}),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.status, text, json };
  }

  const codeOf = (answer: Answer) => (answer.json as { error?: { code?: string } } | null)?.error?.code;
  /** Everything in public/ that the test did not plant: uploads, and any temporary file left behind. */
  const uploadedNames = async () =>
    (await readdir(join(siteDir, 'public'))).filter((name) => name !== 'index.html' && !(name in plantedLinks(canaryDir))).sort();

  beforeAll(async () => {
    stack = await TestStack.start('site-files-multipart', { env: { DAIS_FILES_UPLOAD_MAX_BYTES: String(UPLOAD_CAP) } });
    for (const name of ['alice', 'bob'] as const) {
      const created = await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), 'create-token', '--username', name], {
        env: { ...process.env, ...stack.env },
      });
      tokens[name] = created.stdout.trim();
    }
    site = await stack.createSite('form-uploads');
    expect((await stack.waitForOperation<OperationView>(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' })).status).toBe(201);
    siteDir = join(stack.stateDir, 'orchestrator', 'data', 'sites', String(site.id));
    canaryDir = join(stack.stateDir, 'canary');
    await mkdir(canaryDir);
    await writeFile(join(canaryDir, 'canary.txt'), 'canary');
    for (const [name, target] of Object.entries(plantedLinks(canaryDir))) await symlink(target, join(siteDir, 'public', name));
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('stores two files from a real multipart body, owned by the site user, served over HTTP and audited', async () => {
    const page = `<h1>dropped ${randomBytes(4).toString('hex')}</h1>`;
    const binary = randomBytes(300_000);
    const answer = await upload(formOf({ 'index.html': page, 'photo.bin': binary }));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ path: '/public' });
    expect((answer.json as { entries: Entry[] }).entries.map((entry) => [entry.name, entry.type, entry.size])).toEqual([
      ['index.html', 'file', Buffer.byteLength(page)],
      ['photo.bin', 'file', binary.length],
    ]);
    expect(await readFile(join(siteDir, 'public', 'index.html'), 'utf8')).toBe(page);
    expect(sha256(await readFile(join(siteDir, 'public', 'photo.bin')))).toBe(sha256(binary));
    expect((await stat(join(siteDir, 'public', 'photo.bin'))).uid).toBe(200_000 + site.id);
    expect(await uploadedNames()).toEqual(['photo.bin']);
    expect((await stack.visit(site.hostnames[0] ?? '')).body).toContain(page);

    const audit = await stack.api<{ events: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?siteId=${site.id}&limit=20`,
    );
    expect(audit.json.events.find((event) => event.action === 'file.upload')?.details).toMatchObject({
      path: '/public',
      form: true,
      files: ['index.html', 'photo.bin'],
      outcome: 'ok',
    });
  });

  it('takes the curl -F upload of docs/files.md, file names and all', async () => {
    const local = join(stack.stateDir, 'curl-upload');
    await mkdir(local);
    await writeFile(join(local, 'style.css'), 'body { color: teal }');
    await writeFile(join(local, 'logo.png'), randomBytes(2_000));
    const url = `http://127.0.0.1:${stack.ports.manager}/api/sites/${site.id}/files/upload?path=/private`;
    const curl = await run('curl', [
      ...['-sS', '-H', `Authorization: Bearer ${tokens.alice}`],
      ...['-F', `file=@${join(local, 'style.css')}`, '-F', `file=@${join(local, 'logo.png')};filename=brand logo.png`, url],
    ]);
    expect(JSON.parse(curl.stdout)).toMatchObject({ path: '/private', entries: [{ name: 'style.css' }, { name: 'brand logo.png' }] });
    expect(await readFile(join(siteDir, 'private', 'style.css'), 'utf8')).toBe('body { color: teal }');
    expect(await readFile(join(siteDir, 'private', 'brand logo.png'))).toEqual(await readFile(join(local, 'logo.png')));
  });

  it('refuses every hostile part file name with 400, storing none of the files sent with it', async () => {
    // Some entries of the corpus are single names once sent in a form: a lone surrogate becomes
    // U+FFFD (FormData sends Unicode), and percent-encoding is not decoded in a part's header, so
    // `..%2f..%2fetc%2fpasswd` is one (odd) name, stored inside the folder like any other.
    const percentNames = HOSTILE_PATHS.filter((path) => path.includes('%') && !path.includes('/'));
    expect(percentNames.length).toBeGreaterThan(1);
    const stored = await upload(formOf(Object.fromEntries(percentNames.map((name) => [name, 'a name, not a path']))));
    expect(stored.status, stored.text).toBe(200);
    for (const name of percentNames) {
      expect(await readFile(join(siteDir, 'public', name), 'utf8')).toBe('a name, not a path');
      await rm(join(siteDir, 'public', name));
    }
    const corpus = HOSTILE_PATHS.filter((path) => path !== '\uD800' && !percentNames.includes(path));
    const names = [...corpus, '.', '..', 'nul\u0000.txt', 'x'.repeat(256), '.dais-upload-0a'];
    for (const name of names) {
      const form = formOf({ 'innocent.txt': 'before' });
      form.append('file', new Blob(['pwned']), name);
      const answer = await upload(form);
      expect([answer.status, codeOf(answer)], `${JSON.stringify(name)}: ${answer.text}`).toEqual([400, 'PATH_INVALID']);
    }
    expect(await uploadedNames()).toEqual(['photo.bin']);
    expect(await readdir(canaryDir)).toEqual(['canary.txt']);
  });

  it('refuses a folder outside the site or through a link, writing nothing there', async () => {
    for (const path of [...HOSTILE_PATHS, ...THROUGH_LINKS]) {
      const answer = await upload(formOf({ 'dais-form-pwned': 'pwned' }), { query: { path } });
      expect(answer.status, `${JSON.stringify(path)}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${JSON.stringify(path)}: ${answer.text}`).toBeLessThan(500);
    }
    expect(await readdir(canaryDir)).toEqual(['canary.txt']);
    for (const dir of ['/etc', stack.stateDir, join(siteDir, '..')])
      await expect(stat(join(dir, 'dais-form-pwned'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a body over the cap with 413 naming the limit, with or without Content-Length, storing nothing', async () => {
    const tooLarge = await upload(formOf({ 'small.txt': 'small', 'big.bin': randomBytes(UPLOAD_CAP) }));
    expect([tooLarge.status, codeOf(tooLarge)]).toEqual([413, 'FILE_TOO_LARGE']);
    expect(tooLarge.text).toContain(String(UPLOAD_CAP));
    const { body, contentType } = await serialised(formOf({ 'big.bin': randomBytes(UPLOAD_CAP + 1) }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < body.length; at += 64 * 1024) controller.enqueue(body.subarray(at, at + 64 * 1024));
        controller.close();
      },
    });
    const chunked = await upload({ bytes: stream, contentType });
    expect([chunked.status, codeOf(chunked)]).toEqual([413, 'FILE_TOO_LARGE']);
    const many = await upload(formOf(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.txt`, 'x']))));
    expect([many.status, codeOf(many)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await uploadedNames()).toEqual(['photo.bin']);
  });

  it('keeps the raw upload semantics: FILE_EXISTS without overwrite, and only multipart bodies', async () => {
    const exists = await upload(formOf({ 'new.txt': 'new', 'photo.bin': 'replaced' }), { query: { path: '/public', overwrite: 'false' } });
    expect([exists.status, codeOf(exists)]).toEqual([409, 'FILE_EXISTS']);
    expect((await stat(join(siteDir, 'public', 'photo.bin'))).size).toBe(300_000);
    const field = new FormData();
    field.append('comment', 'not a file');
    expect(codeOf(await upload(field))).toBe('VALIDATION_FAILED');
    expect(codeOf(await upload(formOf({ 'a.txt': 'a' }, 'upload')))).toBe('VALIDATION_FAILED');
    const raw = await upload({ bytes: Buffer.from('just bytes'), contentType: 'application/octet-stream' });
    expect([raw.status, codeOf(raw)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await uploadedNames()).toEqual(['photo.bin']);
  });

  it('refuses a non-member (404), an anonymous caller (401) and a locked site (403), storing nothing', async () => {
    const stranger = await upload(formOf({ 'bob.txt': 'bob' }), { token: tokens.bob });
    expect([stranger.status, codeOf(stranger)]).toEqual([404, 'SITE_NOT_FOUND']);
    expect((await upload(formOf({ 'anon.txt': 'anon' }), { token: null })).status).toBe(401);
    expect((await stack.api('PATCH', `/api/sites/${site.id}`, { availability: 'disabled' })).status).toBeLessThan(300);
    try {
      expect(codeOf(await upload(formOf({ 'locked.txt': 'locked' })))).toBe('SITE_LOCKED');
    } finally {
      await stack.api('PATCH', `/api/sites/${site.id}`, { availability: 'enabled' });
    }
    expect(await uploadedNames()).toEqual(['photo.bin']);
  });

  describe('at the orchestrator, signed as the manager', () => {
    const orchestratorPath = (body: Buffer, boundary: string, signed = body) =>
      `/v1/sites/${site.id}/files/upload?${new URLSearchParams({
        path: '/public',
        overwrite: 'true',
        sha256: sha256(signed),
        size: String(signed.length),
        boundary,
      }).toString()}`;
    const signedHeaders = (path: string) => {
      const signer = stack.signer('manager', 'orchestrator');
      return signRequest(signer, { audience: signer.audience, method: 'POST', path, body: '' });
    };
    const boundaryOf = (contentType: string) => contentType.split('boundary=')[1] ?? '';

    it('refuses a body that is not the one signed, and a boundary header that is not the signed one', async () => {
      const { body, contentType } = await serialised(formOf({ 'tampered.txt': 'original' }));
      const tampered = Buffer.from(body.toString('latin1').replace('original', 'tampered'), 'latin1');
      const path = orchestratorPath(body, boundaryOf(contentType));
      const send = (bytes: Buffer, type: string) =>
        fetch(`http://127.0.0.1:${stack.ports.orchestrator}${path}`, {
          method: 'POST',
          headers: { ...signedHeaders(path), 'content-type': type },
          body: new Uint8Array(bytes),
        });
      const forged = await send(tampered, contentType);
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ error: { code: 'SIGNATURE_INVALID' } });
      const reframed = await send(body, 'multipart/form-data; boundary=other');
      expect(reframed.status).toBe(415);
      expect(await uploadedNames()).toEqual(['photo.bin']);
    });

    it('leaves nothing behind when the connection breaks mid-body', async () => {
      const { body, contentType } = await serialised(formOf({ 'first.txt': 'first', 'aborted.bin': randomBytes(400_000) }));
      const path = orchestratorPath(body, boundaryOf(contentType));
      const sending = request(`http://127.0.0.1:${stack.ports.orchestrator}${path}`, {
        method: 'POST',
        headers: { ...signedHeaders(path), 'content-type': contentType, 'content-length': String(body.length) },
      });
      sending.on('error', () => undefined);
      sending.write(body.subarray(0, 250_000));
      // Break only once the orchestrator has staged a part (a temporary file exists), so there is something to clean up.
      const staging = Date.now() + 20_000;
      const isTemp = (name: string) => name.startsWith('.dais-upload-');
      while (!(await uploadedNames()).some(isTemp) && Date.now() < staging) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await uploadedNames()).some(isTemp), 'a part was staged before the break').toBe(true);
      sending.destroy();
      const deadline = Date.now() + 20_000;
      while ((await uploadedNames()).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await uploadedNames()).toEqual(['photo.bin']);
    });
  });
});
