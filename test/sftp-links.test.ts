import { link, lstat, mkdir, readFile, readlink, stat, utimes, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './support/browser-session';
import { HOSTILE_PATHS } from './support/hostile-paths';
import { SshClient, type SshCredential } from './support/ssh-client';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const PASSWORD = 'erin long password 1';
const LOGIN = 'erin+links';
/** SFTP's status codes, as ssh2 reports them in an error's `code`. */
const PERMISSION_DENIED = 3;

/** A promise-shaped call to ssh2's SFTP client (its API takes callbacks). */
function call<T = void>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolvePromise, reject) => start((error, value) => (error ? reject(error) : resolvePromise(value as T))));
}

/** ssh2's own SFTP client: it sends what OpenSSH's `sftp` has no command for (setstat with a size, readlink). */
async function ssh2Sftp(port: number, hostKey: string): Promise<{ sftp: SFTPWrapper; close: () => void }> {
  const client = new Client();
  await new Promise<void>((ready, fail) => {
    client.once('ready', ready).once('error', fail);
    client.connect({
      host: '127.0.0.1',
      port,
      username: LOGIN,
      password: PASSWORD,
      algorithms: { serverHostKey: ['ssh-ed25519'] },
      // Pinned like the OpenSSH runs: the shell's ed25519 host key, nothing else.
      hostVerifier: (key: Buffer) => key.toString('base64') === hostKey,
      readyTimeout: 30_000,
    });
  });
  const sftp = await call<SFTPWrapper>((done) => client.sftp(done));
  return { sftp, close: () => client.end() };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error as { code?: unknown }).code,
  );

describe('SFTP links, sizes and times, with the real OpenSSH sftp and ssh2’s client', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let siteDir: string;
  let canary: string;
  let hostKey: string;
  /** `sftp -b` runs in batch mode, which never asks for a password: OpenSSH runs sign in with a key. */
  let key: SshCredential;

  beforeAll(async () => {
    dir = await tempDir('sftp-links');
    stack = await TestStack.start('sftp-links', { shell: true });
    const keysDir = join(stack.stateDir, 'shell', 'host-keys');
    client = await SshClient.create(stack.ports.shell, keysDir, dir.path);
    hostKey = (await readFile(join(keysDir, 'ssh_host_ed25519_key.pub'), 'utf8')).split(' ')[1]!;
    expect((await stack.api('POST', '/api/users', { username: 'erin', password: PASSWORD })).status).toBe(201);
    const site = await stack.createSite('links');
    expect((await stack.waitForOperation(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'erin' })).status).toBe(201);
    const keyFile = join(dir.path, 'erin-key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'erin@laptop', '-f', keyFile]);
    const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await browser.login('erin', PASSWORD)).status).toBe(200);
    const publicKey = await readFile(`${keyFile}.pub`, 'utf8');
    expect((await browser.request('POST', '/api/ssh-keys', { name: 'laptop', publicKey })).status).toBe(201);
    key = { keyFile };
    siteDir = join(stack.stateDir, 'orchestrator', 'data', 'sites', String(site.id));
    // Outside the site folder but on its filesystem, so a hard link to it can be planted inside.
    await mkdir(join(stack.stateDir, 'canary'));
    canary = join(stack.stateDir, 'canary', 'canary.txt');
    await writeFile(canary, 'CANARY');
    await utimes(canary, 1_000, 1_000);
    await link(canary, join(siteDir, 'public', 'hardlink-canary'));
  });

  afterAll(async () => {
    await stack.stop();
    await dir.remove();
  });

  it('`symlink` and `ln -s` make links inside that `ls -l` shows and `get` reads through', async () => {
    const local = join(dir.path, 'target.txt');
    await writeFile(local, 'read through the link\n');
    const answer = await client.sftp(LOGIN, key, [
      `put ${local} public/target.txt`,
      'symlink target.txt public/by-symlink',
      'ln -s ../public/target.txt public/by-ln',
      'ls -l public',
      `get public/by-symlink ${join(dir.path, 'got-1.txt')}`,
      `get public/by-ln ${join(dir.path, 'got-2.txt')}`,
      // A link to a folder: cd through it, and a put lands in the folder it names.
      'mkdir private/docs',
      'symlink ../private/docs public/docs-link',
      'cd public/docs-link',
      `put ${local} via-link.txt`,
      'cd /',
      // Hard links and df are OpenSSH extensions the shell does not announce.
      '-ln public/target.txt public/hard-link',
      '-df',
    ]);
    expect(answer.code, answer.stderr).toBe(0);
    expect(answer.stdout).toMatch(/^l[rwx-]{9} .* by-symlink$/m);
    expect(answer.stdout).toMatch(/^l[rwx-]{9} .* by-ln$/m);
    expect(await readlink(join(siteDir, 'public', 'by-symlink'))).toBe('target.txt');
    expect(await readlink(join(siteDir, 'public', 'by-ln'))).toBe('../public/target.txt');
    expect(await readFile(join(dir.path, 'got-1.txt'), 'utf8')).toBe('read through the link\n');
    expect(await readFile(join(dir.path, 'got-2.txt'), 'utf8')).toBe('read through the link\n');
    expect(await readFile(join(siteDir, 'private', 'docs', 'via-link.txt'), 'utf8')).toBe('read through the link\n');
    expect(answer.stderr).toContain('does not support hardlink@openssh.com');
    expect(answer.stderr).toContain('does not support statvfs@openssh.com');
    await expect(lstat(join(siteDir, 'public', 'hard-link'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses links to /etc/passwd and out with ../..: permission denied, nothing made', async () => {
    const answer = await client.sftp(LOGIN, key, [
      '-symlink /etc/passwd public/passwd-link',
      '-ln -s ../../x public/up-link',
      '-symlink ../../../../../../etc/shadow public/shadow-link',
      'ls public',
    ]);
    expect(answer.code, answer.stderr).toBe(0);
    expect(answer.stderr.split('\n').filter((line) => /Permission denied/.test(line)).length, answer.stderr).toBe(3);
    // sftp echoes each batch command; the listing is what follows the last one.
    const listing = answer.stdout.split('sftp> ls public').at(-1) ?? '';
    expect(listing).toContain('public/target.txt');
    for (const name of ['passwd-link', 'up-link', 'shadow-link']) {
      expect(listing).not.toContain(name);
      await expect(lstat(join(siteDir, 'public', name))).rejects.toThrow(/ENOENT/);
    }
  });

  it('`put -p` keeps the local modification time and permissions', async () => {
    const local = join(dir.path, 'dated.txt');
    await writeFile(local, 'dated\n', { mode: 0o640 });
    await utimes(local, 1_100_000_000, 1_234_567_890);
    const answer = await client.sftp(LOGIN, key, [`put -p ${local} public/dated.txt`]);
    expect(answer.code, answer.stderr).toBe(0);
    const kept = await stat(join(siteDir, 'public', 'dated.txt'));
    expect(kept.mtimeMs).toBe(1_234_567_890_000);
    expect(kept.mode & 0o777).toBe(0o640);
  });

  it('setstat/fsetstat truncate and set times (ssh2’s client), readlink reads the text, and links are made in the right order', async () => {
    const { sftp, close } = await ssh2Sftp(stack.ports.shell, hostKey);
    try {
      await writeFile(join(siteDir, 'public', 'sized.txt'), 'hello world');
      await call((done) => sftp.setstat('/public/sized.txt', { size: 5 }, done));
      expect(await readFile(join(siteDir, 'public', 'sized.txt'), 'utf8')).toBe('hello');
      const handle = await call<Buffer>((done) => sftp.open('/public/sized.txt', 'r+', done));
      await call((done) => sftp.fsetstat(handle, { size: 2 }, done));
      await call((done) => sftp.futimes(handle, 1_000_000_000, 1_200_000_000, done));
      await call((done) => sftp.close(handle, done));
      const sized = await stat(join(siteDir, 'public', 'sized.txt'));
      expect([sized.size, sized.mtimeMs]).toEqual([2, 1_200_000_000_000]);
      await call((done) => sftp.utimes('/public', 1_000_000_000, 1_300_000_000, done));
      expect((await stat(join(siteDir, 'public'))).mtimeMs).toBe(1_300_000_000_000);

      // ssh2's client sends the link first (the draft's order) to a server that is not OpenSSH: the same link results.
      await call((done) => sftp.symlink('sized.txt', '/public/node-link', done));
      expect(await readlink(join(siteDir, 'public', 'node-link'))).toBe('sized.txt');
      expect(await call<string>((done) => sftp.readlink('/public/node-link', done))).toBe('sized.txt');
      expect((await call<{ size: number }>((done) => sftp.stat('/public/node-link', done))).size).toBe(2);
      // Through a link, and on a hard link to a file outside: refused, nothing changed.
      expect(await codeOf(call((done) => sftp.setstat('/public/node-link', { size: 0 }, done)))).toBe(PERMISSION_DENIED);
      expect(await codeOf(call((done) => sftp.setstat('/public/hardlink-canary', { size: 0 }, done)))).toBe(PERMISSION_DENIED);
      expect(await codeOf(call((done) => sftp.utimes('/public/hardlink-canary', 5, 5, done)))).toBe(PERMISSION_DENIED);
      expect((await stat(join(siteDir, 'public', 'sized.txt'))).size).toBe(2);
      expect(await readFile(canary, 'utf8')).toBe('CANARY');
      expect((await stat(canary)).mtimeMs).toBe(1_000_000);
    } finally {
      close();
    }
  });

  it('hostile link targets and setstat paths (NUL, overlong, climbing, absolute) are denied or stay inside', async () => {
    const { sftp, close } = await ssh2Sftp(stack.ports.shell, hostKey);
    try {
      const targets = [...HOSTILE_PATHS, '/etc/passwd', '../../x', 'x\u0000y', 'a'.repeat(5_000), `${'a/'.repeat(2_100)}x`];
      for (const target of targets) {
        const code = await codeOf(call((done) => sftp.symlink(target, '/public/hostile', done)));
        if (code === 'ok') {
          const landing = resolve(join(siteDir, 'public'), await readlink(join(siteDir, 'public', 'hostile')));
          expect(landing === siteDir || landing.startsWith(`${siteDir}/`), JSON.stringify(target)).toBe(true);
          await call((done) => sftp.unlink('/public/hostile', done));
        } else expect(code, JSON.stringify(target)).toBe(PERMISSION_DENIED);
      }
      for (const path of HOSTILE_PATHS) {
        const code = await codeOf(call((done) => sftp.setstat(path, { size: 0, atime: 5, mtime: 5 }, done)));
        expect(code, JSON.stringify(path)).not.toBe('ok');
      }
      expect(await readFile('/etc/passwd', 'utf8')).toContain('root:');
      expect(await readFile(canary, 'utf8')).toBe('CANARY');
    } finally {
      close();
    }
  });
});
