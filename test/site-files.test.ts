import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationView, SiteView } from '@dais/shared';
import { REPO_ROOT } from './support/dev-env';
import { HOSTILE_PATHS, plantedLinks, THROUGH_LINKS } from './support/hostile-paths';
import { TestStack } from './support/stack';

const run = promisify(execFile);
/** Percent-encodes a query value; a lone surrogate (not encodable) goes as the bytes of its UTF-8-like form. */
const queryValue = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};
const UPLOAD_CAP = 2 * 1024 * 1024;
type Answer = { status: number; text: string; bytes: Buffer; json: unknown };
type Entry = { name: string; type: string; size: number; mode: number };

describe('site file API (/api/sites/:id/files…): confined to the site folder', () => {
  let stack: TestStack;
  let site: SiteView;
  let siteDir: string;
  let canaryDir: string;
  const canary = `CANARY-${randomBytes(8).toString('hex')}`;
  const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

  /** Calls the manager's file API as `token`, with the path (and other query values) encoded. */
  async function files(
    method: string,
    route: string,
    options: { token?: string; query?: Record<string, string>; rawQuery?: string; json?: unknown; body?: Buffer | ReadableStream } = {},
  ): Promise<Answer> {
    const search = options.rawQuery ?? new URLSearchParams(options.query ?? {}).toString();
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? tokens.alice}` };
    let body: string | Buffer | ReadableStream | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = options.body;
    }
    const url = `http://127.0.0.1:${stack.ports.manager}/api/sites/${site.id}/files${route}${search ? `?${search}` : ''}`;
    const response = await fetch(url, {
      method,
      headers,
      body: Buffer.isBuffer(body) ? new Uint8Array(body) : body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('latin1');
    let json: unknown = null;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = null;
    }
    return { status: response.status, text, bytes, json };
  }

  const codeOf = (answer: Answer) => (answer.json as { error?: { code?: string } } | null)?.error?.code;

  /** What must never change or leak: the canary files outside the site folder. */
  async function canarySnapshot() {
    const entries = [...['canary.txt', 'hardlinked.txt'].map((name) => join(canaryDir, name)), '/etc/passwd', '/etc/hostname'];
    return Promise.all(entries.map(async (path) => ({ path, content: await readFile(path, 'utf8'), mtimeMs: (await stat(path)).mtimeMs })));
  }

  function expectNoLeak(answer: Answer, what: string): void {
    expect(answer.text.includes(canary), `${what} leaked the canary`).toBe(false);
    expect(answer.text.includes('root:x:0:0'), `${what} leaked /etc/passwd`).toBe(false);
    expect(/"name":"(hostname|passwd|shadow|group)"/.test(answer.text), `${what} listed /etc`).toBe(false);
    // hardlinked.txt exists only in the canary folder (the swap test's inside folder has canary.txt too).
    expect(answer.text.includes('hardlinked.txt'), `${what} listed the canary folder`).toBe(false);
  }

  beforeAll(async () => {
    stack = await TestStack.start('site-files', { env: { DAIS_FILES_UPLOAD_MAX_BYTES: String(UPLOAD_CAP) } });
    for (const name of ['alice', 'bob'] as const) {
      const created = await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), 'create-token', '--username', name], {
        env: { ...process.env, ...stack.env },
      });
      tokens[name] = created.stdout.trim();
    }
    site = await stack.createSite('files-site');
    expect((await stack.waitForOperation<OperationView>(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' })).status).toBe(201);
    siteDir = join(stack.stateDir, 'orchestrator', 'data', 'sites', String(site.id));
    // Outside the site folder, on the same filesystem as the data root (so a hard link can be made).
    canaryDir = join(stack.stateDir, 'canary');
    await mkdir(canaryDir);
    await writeFile(join(canaryDir, 'canary.txt'), canary);
    await writeFile(join(canaryDir, 'hardlinked.txt'), canary);
    for (const [name, target] of Object.entries(plantedLinks(canaryDir))) await symlink(target, join(siteDir, 'public', name));
    await link(join(canaryDir, 'hardlinked.txt'), join(siteDir, 'public', 'hardlink-canary'));
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('lets a member list, write, read, stat, rename and delete, with files owned by the site user', async () => {
    const root = await files('GET', '', { query: { path: '/' } });
    expect(root.status).toBe(200);
    expect((root.json as { entries: Entry[] }).entries.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['.home', 'private', 'public']),
    );
    const written = await files('POST', '/write', { json: { path: '/public/hello.txt', content: 'héllo wörld' } });
    expect(written.status, written.text).toBe(200);
    expect((written.json as { entry: Entry }).entry).toMatchObject({ name: 'hello.txt', type: 'file', size: 13 });
    const onDisk = await stat(join(siteDir, 'public', 'hello.txt'));
    expect(onDisk.uid).toBe(200_000 + site.id);
    expect(onDisk.gid).toBe(200_000 + site.id);
    const read = await files('GET', '/content', { query: { path: 'public/hello.txt' } });
    expect(read.status).toBe(200);
    expect(read.bytes.toString('utf8')).toBe('héllo wörld');
    expect((await files('POST', '/mkdir', { json: { path: 'public/docs' } })).status).toBe(200);
    expect((await stat(join(siteDir, 'public', 'docs'))).uid).toBe(200_000 + site.id);
    const moved = await files('POST', '/rename', { json: { from: 'public/hello.txt', to: 'public/docs/hello.txt' } });
    expect(moved.json).toMatchObject({ path: '/public/docs/hello.txt', entry: { type: 'file' } });
    expect((await files('POST', '/mkdir', { json: { path: 'public/docs' } })).status).toBe(409);
    const notEmpty = await files('POST', '/delete', { json: { path: 'public/docs' } });
    expect([notEmpty.status, codeOf(notEmpty)]).toEqual([409, 'DIRECTORY_NOT_EMPTY']);
    expect((await files('POST', '/delete', { json: { path: 'public/docs', recursive: true } })).status).toBe(400);
    expect((await files('POST', '/delete', { json: { path: 'public/docs', recursive: true, confirm: 'public/docs' } })).status).toBe(200);
    await expect(lstat(join(siteDir, 'public', 'docs'))).rejects.toThrow(/ENOENT/);
    const stats = await files('GET', '/stat', { query: { path: 'public/index.html' } });
    expect(stats.json).toMatchObject({ path: '/public/index.html', entry: { type: 'file' } });
  });

  it('uploads and downloads a file byte for byte, serves it over HTTP, and refuses an upload over the cap with 413', async () => {
    const content = randomBytes(UPLOAD_CAP - 10);
    const uploaded = await files('PUT', '/content', { query: { path: 'public/blob.bin' }, body: content });
    expect(uploaded.status, uploaded.text).toBe(200);
    const downloaded = await files('GET', '/content', { query: { path: 'public/blob.bin' } });
    expect(createHash('sha256').update(downloaded.bytes).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await files('PUT', '/content', { query: { path: 'public/blob.bin', overwrite: 'false' }, body: content })).status).toBe(409);
    const page = '<h1>uploaded through the file API</h1>';
    expect((await files('PUT', '/content', { query: { path: 'public/index.html' }, body: Buffer.from(page) })).status).toBe(200);
    expect((await stack.visit(site.hostnames[0] ?? '')).body).toContain(page);

    const tooLarge = await files('PUT', '/content', { query: { path: 'public/big.bin' }, body: randomBytes(UPLOAD_CAP + 1) });
    expect([tooLarge.status, codeOf(tooLarge)]).toEqual([413, 'FILE_TOO_LARGE']);
    expect(tooLarge.text).toContain(String(UPLOAD_CAP));
    // Without a Content-Length (chunked), the cap is enforced while the body streams in.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i += 1) controller.enqueue(randomBytes(UPLOAD_CAP / 2));
        controller.close();
      },
    });
    const chunked = await files('PUT', '/content', { query: { path: 'public/big.bin' }, body: chunks });
    expect([chunked.status, codeOf(chunked)]).toEqual([413, 'FILE_TOO_LARGE']);
    await expect(lstat(join(siteDir, 'public', 'big.bin'))).rejects.toThrow(/ENOENT/);
  });

  it('downloads a folder as a zip holding its files and folders, and no link', async () => {
    await writeFile(join(siteDir, 'private', 'a.txt'), 'alpha');
    await mkdir(join(siteDir, 'private', 'sub'));
    await writeFile(join(siteDir, 'private', 'sub', 'b.txt'), 'beta');
    await symlink(join(canaryDir, 'canary.txt'), join(siteDir, 'private', 'sub', 'out-link'));
    const zip = await files('GET', '/archive', { query: { path: '/private' } });
    expect(zip.status).toBe(200);
    expectNoLeak(zip, 'the zip');
    const zipPath = join(stack.stateDir, 'private.zip');
    await writeFile(zipPath, zip.bytes);
    const listing = (await run('unzip', ['-Z1', zipPath])).stdout.split('\n').filter(Boolean).sort();
    expect(listing).toEqual(['a.txt', 'sub/', 'sub/b.txt']);
    expect((await run('unzip', ['-p', zipPath, 'sub/b.txt'])).stdout).toBe('beta');
    await run('unzip', ['-tq', zipPath]);
  });

  it('chmod sets permission bits and refuses setuid, setgid, sticky, links and hard links', async () => {
    const done = await files('POST', '/chmod', { json: { path: 'public/index.html', mode: '600' } });
    expect(done.json).toMatchObject({ entry: { mode: 0o600 } });
    expect((await stat(join(siteDir, 'public', 'index.html'))).mode & 0o7777).toBe(0o600);
    for (const mode of ['4755', '2755', '1777', 0o4000]) {
      const refused = await files('POST', '/chmod', { json: { path: 'public/index.html', mode } });
      expect([refused.status, codeOf(refused)]).toEqual([403, 'PATH_FORBIDDEN']);
    }
    for (const path of ['public/canary-link', 'public/hardlink-canary', 'public/etc-link/passwd', 'public/etc-link']) {
      expect((await files('POST', '/chmod', { json: { path, mode: '777' } })).status, path).toBe(403);
    }
    expect((await stat('/etc/passwd')).mode & 0o777).toBe(0o644);
    expect((await stat(join(canaryDir, 'canary.txt'))).mode & 0o777).not.toBe(0o777);
  });

  it('refuses a non-member (404) and a locked site (403 SITE_LOCKED for changes)', async () => {
    for (const [method, route, options] of [
      ['GET', '', { query: { path: '/' } }],
      ['GET', '/content', { query: { path: 'public/index.html' } }],
      ['GET', '/archive', { query: { path: '/' } }],
      ['POST', '/write', { json: { path: 'public/x', content: 'x' } }],
      ['PUT', '/content', { query: { path: 'public/x' }, body: Buffer.from('x') }],
      ['POST', '/delete', { json: { path: 'public/index.html' } }],
    ] as const) {
      const answer = await files(method, route, { ...options, token: tokens.bob });
      expect([answer.status, codeOf(answer)], `${method} ${route}`).toEqual([404, 'SITE_NOT_FOUND']);
    }
    expect((await stack.api('PATCH', `/api/sites/${site.id}`, { availability: 'disabled' })).status).toBeLessThan(300);
    try {
      const locked = await files('POST', '/write', { json: { path: 'public/x', content: 'x' } });
      expect([locked.status, codeOf(locked)]).toEqual([403, 'SITE_LOCKED']);
      expect((await files('GET', '', { query: { path: '/' } })).status).toBe(200);
    } finally {
      await stack.api('PATCH', `/api/sites/${site.id}`, { availability: 'enabled' });
    }
  });

  it('records every change in the audit log', async () => {
    const audit = await stack.api<{ events: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?siteId=${site.id}&limit=100`,
    );
    const actions = new Set(audit.json.events.map((event) => event.action));
    for (const action of ['file.write', 'file.upload', 'file.mkdir', 'file.rename', 'file.delete', 'file.chmod'])
      expect(actions).toContain(action);
  });

  describe('hostile paths and links', () => {
    const hostile = [...HOSTILE_PATHS, ...THROUGH_LINKS];
    const queryOf = (path: string) => `path=${path.includes('%') ? path : queryValue(path)}`;

    it('no hostile path reads or lists anything: reads are refused, stat describes a link as a link', async () => {
      const before = await canarySnapshot();
      for (const path of hostile) {
        const rawQuery = queryOf(path);
        const [list, described, content, archive] = [
          await files('GET', '', { rawQuery }),
          await files('GET', '/stat', { rawQuery }),
          await files('GET', '/content', { rawQuery }),
          await files('GET', '/archive', { rawQuery }),
        ];
        for (const answer of [list, described, content, archive]) expectNoLeak(answer, JSON.stringify(path));
        for (const answer of [list, content, archive]) {
          expect(answer.status, `${JSON.stringify(path)}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(answer.status, `${JSON.stringify(path)}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
        }
        // A hard-linked file is an entry of the folder: its description shows, never its content.
        const describable = path === 'public/hardlink-canary' ? ['file'] : ['symlink'];
        if (described.status === 200) expect(describable, JSON.stringify(path)).toContain((described.json as { entry: Entry }).entry.type);
        else expect(described.status, JSON.stringify(path)).toBeLessThan(500);
      }
      expect(await canarySnapshot()).toEqual(before);
    });

    it('no hostile path writes, creates, moves or deletes anything outside', async () => {
      const before = await canarySnapshot();
      for (const path of hostile) {
        const answers = [
          await files('POST', '/write', { json: { path: `${path}/dais-pwned`, content: canary } }),
          await files('POST', '/write', { json: { path, content: 'overwritten' } }),
          await files('POST', '/mkdir', { json: { path: `${path}/dais-dir` } }),
          await files('POST', '/rename', { json: { from: path, to: 'public/stolen' } }),
          await files('POST', '/delete', { json: { path: `${path}/canary.txt` } }),
          await files('PUT', '/content', { rawQuery: queryOf(`${path}/dais-upload`), body: Buffer.from(canary) }),
        ];
        for (const answer of answers) {
          expectNoLeak(answer, JSON.stringify(path));
          expect(answer.status, `${JSON.stringify(path)}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
        }
        // A write or rename that succeeded acted on a name inside the folder (a link replaced, a
        // link moved): put the link back for the next paths.
        if (answers[3]?.status === 200) await rename(join(siteDir, 'public', 'stolen'), join(siteDir, path));
      }
      expect(await canarySnapshot()).toEqual(before);
      // Every refused change was still audited (a hostile path must not break the audit log).
      expect(stack.logOf('manager')).not.toContain('could not record');
      for (const name of ['dais-pwned', 'dais-dir', 'dais-upload']) {
        await expect(lstat(join('/etc', name))).rejects.toThrow(/ENOENT/);
        await expect(lstat(join(canaryDir, name))).rejects.toThrow(/ENOENT/);
        await expect(lstat(join(stack.stateDir, name))).rejects.toThrow(/ENOENT/);
      }
    });

    it('a link is deleted as a link, never what it points to, even recursively', async () => {
      await symlink(canaryDir, join(siteDir, 'public', 'doomed-link'));
      const removed = await files('POST', '/delete', {
        json: { path: 'public/doomed-link', recursive: true, confirm: 'public/doomed-link' },
      });
      expect(removed.status, removed.text).toBe(200);
      await expect(lstat(join(siteDir, 'public', 'doomed-link'))).rejects.toThrow(/ENOENT/);
      expect(await readFile(join(canaryDir, 'canary.txt'), 'utf8')).toBe(canary);
    });

    it('a folder swapped with a link to the outside while requests run never leads outside', async () => {
      const before = await canarySnapshot();
      const swap = join(siteDir, 'public', 'swap');
      const real = join(siteDir, 'public', 'swap-real');
      await mkdir(real);
      await writeFile(join(real, 'canary.txt'), 'inside');
      const swapping = { on: true };
      const swapper = (async () => {
        while (swapping.on) {
          await rm(swap, { force: true, recursive: false }).catch(() => undefined);
          await symlink(canaryDir, swap).catch(() => undefined);
          await new Promise((resolve) => setImmediate(resolve));
          await rm(swap, { force: true }).catch(() => undefined);
          await rename(real, swap).catch(() => undefined);
          await new Promise((resolve) => setImmediate(resolve));
          await rename(swap, real).catch(() => undefined);
        }
      })();
      const seen = new Set<number>();
      try {
        for (let round = 0; round < 60; round += 1) {
          const answers = await Promise.all([
            files('GET', '/content', { query: { path: 'public/swap/canary.txt' } }),
            files('GET', '', { query: { path: 'public/swap' } }),
            files('POST', '/write', { json: { path: 'public/swap/dais-pwned', content: 'pwned' } }),
            files('POST', '/chmod', { json: { path: 'public/swap/canary.txt', mode: '777' } }),
          ]);
          for (const answer of answers) {
            seen.add(answer.status);
            expectNoLeak(answer, 'a request during the swap');
          }
        }
      } finally {
        swapping.on = false;
        await swapper;
      }
      expect(seen.has(200), 'some requests ran while the real folder was in place').toBe(true);
      expect(await canarySnapshot()).toEqual(before);
      await expect(lstat(join(canaryDir, 'dais-pwned'))).rejects.toThrow(/ENOENT/);
      expect((await stat(join(canaryDir, 'canary.txt'))).mode & 0o777).not.toBe(0o777);
    });
  });
});
