import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, type SFTPWrapper } from 'ssh2';
import type { OperationView, SiteStatus, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../support/browser-session';
import { loopDevicesUnder, mountsUnder, unmountEverythingUnder } from '../support/loop-mounts';
import { registerNewSshKey, SshClient, type SshCredential } from '../support/ssh-client';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const PASSWORD = 'hugo long password 1';
/** The admin default in this stack: small, so filling it takes a moment. */
const LIMIT_MB = 16;

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** Repeats a write until it is refused (at most 64 times); returns the refusal. */
async function untilRefused<T extends { status: number }>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; n < 64; n += 1) {
    const answer = await attempt(n);
    if (answer.status !== 200) return answer;
  }
  throw new Error('every write was accepted: the disk never filled');
}

/**
 * Threat: a site (its owner, or code it runs) writes until the disk is full. Site folders share
 * a disk with PostgreSQL and the platform; with the `loop` driver each site folder is a
 * filesystem of its own, as large as its limit. Writes come from inside the site's container
 * (dd over SSH), through the file API (raw and form uploads, the editor's write) and over SFTP;
 * each gets a clear refusal, the site keeps serving and nothing else notices.
 */
describe('a site cannot fill the platform’s disk (loop driver, real loop mounts)', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let key: SshCredential;
  let token: string;
  let hog: SiteView;
  let neighbour: SiteView;
  let dataRoot: string;

  const inSite = (site: SiteView, command: string) => client.ssh(`hugo+${site.name}`, key, [command]);
  const status = async (site: SiteView) => (await stack.api<SiteStatus>('GET', `/api/sites/${site.id}/status`, undefined, token)).json;
  const asHugo = <T>(method: string, path: string, body?: unknown) => stack.api<T>(method, path, body, token);
  const image = (site: SiteView) => join(dataRoot, 'disks', `${site.id}.img`);
  const apply = async (site: SiteView, body: Record<string, unknown>) => {
    const answer = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, body);
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    const done = await stack.waitForOperation<OperationView>(answer.json.operation?.id ?? 0);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    return done;
  };
  /** Writes `bytes` over SFTP with ssh2's client, which reports the server's status message; returns it. */
  const sftpWriteError = async (login: string, path: string, bytes: number): Promise<string> => {
    const privateKey = await readFile((key as { keyFile: string }).keyFile);
    const hostKey = (await readFile(join(stack.stateDir, 'shell', 'host-keys', 'ssh_host_ed25519_key.pub'), 'utf8')).split(' ')[1];
    const client = new Client();
    await new Promise<void>((ready, fail) => {
      client.once('ready', ready).once('error', fail);
      client.connect({
        host: '127.0.0.1',
        port: stack.ports.shell,
        username: login,
        privateKey,
        algorithms: { serverHostKey: ['ssh-ed25519'] },
        hostVerifier: (presented: Buffer) => presented.toString('base64') === hostKey,
        readyTimeout: 30_000,
      });
    });
    try {
      const sftp = await new Promise<SFTPWrapper>((done, fail) => client.sftp((error, session) => (error ? fail(error) : done(session))));
      const handle = await new Promise<Buffer>((done, fail) =>
        sftp.open(path, 'w', (error, opened) => (error ? fail(error) : done(opened))),
      );
      return await new Promise<string>((done) =>
        sftp.write(handle, Buffer.alloc(bytes, 5), 0, bytes, 0, (error) => done(error ? error.message : 'written')),
      );
    } finally {
      client.end();
    }
  };

  /** A raw upload, as the dashboard sends one. */
  const upload = (site: SiteView, path: string, bytes: number) =>
    fetch(`http://127.0.0.1:${stack.ports.manager}/api/sites/${site.id}/files/content?path=${encodeURIComponent(path)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(bytes, 7),
    }).then(async (response) => ({ status: response.status, json: (await response.json()) as ErrorBody }));

  beforeAll(async () => {
    dir = await tempDir('disk-limits');
    stack = await TestStack.start('disk-limits', {
      shell: true,
      env: { DAIS_DISK_DRIVER: 'loop', DAIS_SITE_DISK_LIMIT_MB: String(LIMIT_MB) },
    });
    dataRoot = join(stack.stateDir, 'orchestrator', 'data');
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    expect((await stack.api('POST', '/api/users', { username: 'hugo', password: PASSWORD })).status).toBe(201);
    hog = await stack.createSite('hog');
    neighbour = await stack.createSite('neighbour');
    for (const site of [hog, neighbour]) {
      expect((await stack.waitForOperation(site.operation?.id ?? 0)).state).toBe('succeeded');
      expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'hugo' })).status).toBe(201);
    }
    key = await registerNewSshKey(`http://127.0.0.1:${stack.ports.manager}`, { username: 'hugo', password: PASSWORD }, dir.path);
    const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await browser.login('hugo', PASSWORD)).status).toBe(200);
    token = (await browser.request<{ token: string }>('POST', '/api/tokens', { name: 'uploads' })).json.token;
  });

  afterAll(async () => {
    // The orchestrator first, so nothing mounts again; then every mount and loop device of this stack, whatever failed.
    await stack.stopProcess('orchestrator');
    await unmountEverythingUnder(stack.stateDir);
    await stack.stop();
    await dir.remove();
  });

  it('gives every site its own filesystem of the admin default size, shown to its members as used / limit', async () => {
    for (const site of [hog, neighbour]) {
      expect(site.disk).toEqual({ limitMb: LIMIT_MB, isDefault: true });
      expect((await status(site)).disk).toEqual({ usedBytes: expect.any(Number), limitBytes: LIMIT_MB * MIB });
      expect(await mountsUnder(join(dataRoot, 'sites', String(site.id)))).toHaveLength(1);
    }
    // The images live outside the sites folder, root's only.
    expect((await stat(join(dataRoot, 'disks'))).mode & 0o777).toBe(0o700);
  });

  it('a site writing until full from its container gets ENOSPC, and visitors still get the site', async () => {
    const before = (await stack.visit('hog.dais.localhost')).body;
    const filled = await inSite(hog, 'dd if=/dev/zero of=private/fill bs=1M count=200; echo exit=$?');
    expect(filled.stdout + filled.stderr).toMatch(/No space left on device/);
    expect(filled.stdout).toMatch(/exit=1/);
    expect((await status(hog)).disk?.usedBytes).toBeGreaterThanOrEqual(LIMIT_MB * MIB);
    // On the host, the image takes what the site stored (it is sparse), never more than its size.
    const imageFile = await stat(image(hog));
    expect(imageFile.blocks * 512).toBeLessThanOrEqual(imageFile.size);
    const page = await stack.visit('hog.dais.localhost');
    expect([page.status, page.body]).toEqual([200, before]);
  });

  it('writes and uploads through the file API are refused with 409 SITE_DISK_FULL naming the limit, leaving nothing behind', async () => {
    // ext4 frees a little of what it held back once dd's data is written out: writes fit until that is used too.
    const written = await untilRefused((n) =>
      asHugo<ErrorBody>('POST', `/api/sites/${hog.id}/files/write`, { path: `/private/note-${n}.txt`, content: 'x'.repeat(256 * 1024) }),
    );
    expect([written.status, written.json.error.code]).toEqual([409, 'SITE_DISK_FULL']);
    expect(written.json.error.message).toMatch(
      new RegExp(`disk is full \\(its limit is ${LIMIT_MB} MiB\\).*Delete files .* or ask an admin to raise its disk limit`),
    );
    expect(written.json.error.details).toEqual({ limitMb: LIMIT_MB });
    const uploaded = await untilRefused(() => upload(hog, '/public/upload.bin', 2 * MIB));
    expect([uploaded.status, uploaded.json.error.code]).toEqual([409, 'SITE_DISK_FULL']);
    const form = await untilRefused(async () => {
      const body = new FormData();
      body.append('file', new Blob([Buffer.alloc(2 * MIB, 1)]), 'form.bin');
      const answer = await fetch(`http://127.0.0.1:${stack.ports.manager}/api/sites/${hog.id}/files/upload?path=/public`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      return { status: answer.status, json: (await answer.json()) as ErrorBody };
    });
    expect([form.status, form.json.error.code]).toEqual([409, 'SITE_DISK_FULL']);
    // Refused uploads leave no temporary file and no partial file.
    const listed = await asHugo<{ entries: { name: string }[] }>('GET', `/api/sites/${hog.id}/files?path=/public`);
    expect(listed.json.entries.map((entry) => entry.name)).toEqual(['index.html']);
  });

  it('an SFTP upload that does not fit fails with one line, and the site keeps serving', async () => {
    const local = join(dir.path, 'upload.bin');
    await writeFile(local, Buffer.alloc(4 * MIB, 3));
    const sftp = await client.sftp('hugo+hog', key, [`put ${local} public/sftp.bin`]);
    expect(sftp.code).not.toBe(0);
    // OpenSSH's sftp prints the status code's name, not the server's message (SFTP v3 has no "disk full" code).
    expect(sftp.stderr.trim().split(/\r?\n/)).toEqual(['write remote "/public/sftp.bin": Failure']);
    // The message it carries says what happened and what to do (ssh2's client shows it).
    expect(await sftpWriteError('hugo+hog', '/public/ssh2.bin', 4 * MIB)).toMatch(
      new RegExp(`^The site's disk is full \\(its limit is ${LIMIT_MB} MiB\\): could not write "/public/ssh2.bin"\\. Delete files`),
    );
    expect((await stack.visit('hog.dais.localhost')).status).toBe(200);
  });

  it('no other site and nothing of the platform notices: the neighbour writes, the API and PostgreSQL answer', async () => {
    const wrote = await inSite(neighbour, 'dd if=/dev/zero of=private/data bs=1M count=8 && echo wrote');
    expect(wrote.stdout, wrote.stderr).toContain('wrote');
    const saved = await asHugo('POST', `/api/sites/${neighbour.id}/files/write`, { path: '/public/fine.txt', content: 'fine' });
    expect(saved.status).toBe(200);
    expect((await stack.api('GET', '/api/sites')).status).toBe(200);
    expect((await stack.visit('neighbour.dais.localhost', '/fine.txt')).body).toBe('fine');
  });

  it('only admins change a disk limit, within bounds, never below what the site stores', async () => {
    const member = await asHugo<ErrorBody>('PATCH', `/api/sites/${hog.id}`, { diskLimitMb: 64 });
    expect([member.status, member.json.error.code]).toEqual([403, 'FORBIDDEN']);
    for (const bad of [8, 2_000_000, 16.5, '32', -1]) {
      const refused = await stack.api<ErrorBody>('PATCH', `/api/sites/${hog.id}`, { diskLimitMb: bad });
      expect([refused.status, refused.json.error.code], String(bad)).toEqual([400, 'VALIDATION_FAILED']);
    }
    // Raised, the neighbour stores ~20 MiB; going back to 16 MiB would not hold it.
    await apply(neighbour, { diskLimitMb: 24 });
    const wrote = await inSite(neighbour, 'dd if=/dev/zero of=private/more bs=1M count=12 && echo wrote');
    expect(wrote.stdout, wrote.stderr).toContain('wrote');
    const lower = await stack.api<ErrorBody>('PATCH', `/api/sites/${neighbour.id}`, { diskLimitMb: LIMIT_MB });
    expect([lower.status, lower.json.error.code]).toEqual([409, 'DISK_LIMIT_BELOW_USAGE']);
    expect(lower.json.error.message).toMatch(
      /neighbour stores \d+ MiB, more than a disk limit of 16 MiB would hold: delete files first, or choose at least \d+ MiB\./,
    );
  });

  it('raising the limit lets a full site write again', async () => {
    await apply(hog, { diskLimitMb: 40 });
    const view = (await stack.api<SiteView>('GET', `/api/sites/${hog.id}`)).json;
    expect(view.disk).toEqual({ limitMb: 40, isDefault: false });
    expect((await status(hog)).disk?.limitBytes).toBe(40 * MIB);
    const more = await inSite(hog, 'dd if=/dev/zero of=private/more bs=1M count=16 && echo wrote');
    expect(more.stdout, more.stderr).toContain('wrote');
    expect((await upload(hog, '/public/upload.bin', 2 * MIB)).status).toBe(200);
    expect((await stack.visit('hog.dais.localhost', '/upload.bin')).status).toBe(200);
  });

  it('deleting a site unmounts its filesystem and removes its image: no mount, loop device or file left', async () => {
    const imagePath = image(hog);
    const answer = await stack.api<OperationView>('DELETE', `/api/sites/${hog.id}`, { confirm: 'hog' });
    expect((await stack.waitForOperation<OperationView>(answer.json.id)).state).toBe('succeeded');
    await expect(lstat(imagePath)).rejects.toThrow(/ENOENT/);
    expect(await mountsUnder(join(dataRoot, 'sites', String(hog.id)))).toEqual([]);
    expect((await run('losetup', ['-a'])).stdout).not.toContain(imagePath);
    expect(await readdir(join(dataRoot, 'sites'))).not.toContain(String(hog.id));
    // The neighbour's filesystem is still there.
    expect(await loopDevicesUnder(stack.stateDir)).toHaveLength(1);
  });
});
