import { chmod, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../support/browser-session';
import { eventually, getWithHost, type PlainResponse } from '../support/http';
import { registerNewSshKey, SshClient, type SshCredential } from '../support/ssh-client';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';

const PASSWORD = 'mallory long password 1';

/**
 * Threat: a site's own processes (its owner in a terminal or over SSH, or code it runs) own
 * everything in the site folder, so they can replace `public` itself with a symbolic link. nginx
 * runs as root's workers and must still serve nothing outside that site's own `public/`: not
 * another site's files, not the host's, not the platform's. Every attack here is made from
 * inside the site's container, as the site user, over the real SSH server; what a visitor gets is
 * read through the router and straight from the orchestrator's nginx.
 */
describe('a site cannot make nginx serve anything outside its own public folder', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let key: SshCredential;
  let token: string;
  let mallory: SiteView;
  let victim: SiteView;
  let dataRoot: string;

  const host = 'mallory.dais.localhost';
  const siteDir = (site: SiteView, ...names: string[]) => join(dataRoot, 'sites', String(site.id), ...names);
  /** Runs a shell command in mallory's container as mallory's site user (cwd /site). */
  const inSite = (command: string) => client.ssh('mallory+mallory', key, [command]);
  /** What a visitor gets, through the router and from the orchestrator's nginx directly. */
  const visit = async (path: string): Promise<PlainResponse[]> => [
    await stack.visit(host, path),
    await getWithHost(stack.ports.sites, host, path),
  ];
  const asMallory = <T>(method: string, path: string, body?: unknown) => stack.api<T>(method, path, body, token);

  beforeAll(async () => {
    dir = await tempDir('site-folder-escape');
    // No periodic self-repair during the attacks: each test says when the repair happens.
    stack = await TestStack.start('site-folder-escape', { shell: true, env: { DAIS_RECONCILE_INTERVAL_MS: '3600000' } });
    dataRoot = join(stack.stateDir, 'orchestrator', 'data');
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    expect((await stack.api('POST', '/api/users', { username: 'mallory', password: PASSWORD })).status).toBe(201);
    victim = await stack.createSite('victim');
    mallory = await stack.createSite('mallory');
    for (const site of [victim, mallory]) expect((await stack.waitForOperation(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${mallory.id}/members`, { username: 'mallory' })).status).toBe(201);
    for (const [path, content] of [
      ['/public/victim-secret.txt', 'VICTIM PUBLIC FILE'],
      ['/private/victim-private.txt', 'VICTIM PRIVATE FILE'],
    ]) {
      expect((await stack.api('POST', `/api/sites/${victim.id}/files/write`, { path, content })).status).toBe(200);
    }
    // A folder the platform owns beside the site folders, readable by anyone on the host (nginx's workers too).
    await mkdir(join(dataRoot, 'canary'), { mode: 0o755 });
    await chmod(join(dataRoot, 'canary'), 0o755);
    await writeFile(join(dataRoot, 'canary', 'canary.txt'), 'PLATFORM CANARY', { mode: 0o644 });
    key = await registerNewSshKey(`http://127.0.0.1:${stack.ports.manager}`, { username: 'mallory', password: PASSWORD }, dir.path);
    const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await browser.login('mallory', PASSWORD)).status).toBe(200);
    token = (await browser.request<{ token: string }>('POST', '/api/tokens', { name: 'attack script' })).json.token;
  });

  afterAll(async () => {
    await stack.stop();
    await dir.remove();
  });

  /** Swaps mallory's `public` for a link from inside the container, and shows the site user could. */
  const swapPublic = async (target: string) => {
    const swapped = await inSite(`id -u && rm -rf public.real && mv public public.real && ln -s ${target} public && ls -l public`);
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.stdout).toContain(String(200_000 + mallory.id));
    expect(swapped.stdout).toContain(`public -> ${target}`);
    expect((await lstat(siteDir(mallory, 'public'))).isSymbolicLink()).toBe(true);
  };

  /** Repairs through the admin's repair operation; the step says what was done. */
  const repair = async () => {
    const started = await stack.api<OperationView>('POST', `/api/sites/${mallory.id}/repair`);
    expect(started.status).toBe(202);
    const done = await stack.waitForOperation<OperationView>(started.json.id);
    expect(done.state).toBe('succeeded');
    return done.steps.find((step) => step.name === 'orchestrator.ensure_site')?.message ?? '';
  };

  /** The site answers again from a real public folder: a page its owner puts there is served. */
  const expectServedAgain = async (marker: string) => {
    expect((await lstat(siteDir(mallory, 'public'))).isDirectory()).toBe(true);
    const written = await asMallory('POST', `/api/sites/${mallory.id}/files/write`, { path: '/public/index.html', content: marker });
    expect(written.status, JSON.stringify(written.json)).toBe(200);
    for (const page of await visit('/')) expect([page.status, page.body]).toEqual([200, marker]);
  };

  it.each([
    { what: "another site's folder", target: '', paths: ['/public/victim-secret.txt', '/private/victim-private.txt'], secret: /VICTIM/ },
    { what: "the host's /etc", target: '/etc', paths: ['/passwd', '/os-release'], secret: /root:x:0:0|PRETTY_NAME/ },
    { what: 'a folder the platform owns', target: '../../canary', paths: ['/canary.txt'], secret: /PLATFORM CANARY/ },
  ])('public swapped for a link to $what: nothing of it is served, read or listed; a repair serves the site again', async (attack) => {
    const target = attack.target || `../${victim.id}`;
    await swapPublic(target);
    for (const path of attack.paths) {
      for (const page of await visit(path)) {
        expect([403, 404], `${path} answered ${page.status}: ${page.body.slice(0, 200)}`).toContain(page.status);
        expect(page.body).not.toMatch(attack.secret);
      }
    }
    // The file API and SFTP never follow the link out either.
    const file = attack.paths[0]!;
    const read = await asMallory<{ error: { code: string } }>(
      'GET',
      `/api/sites/${mallory.id}/files/content?path=${encodeURIComponent(`/public${file}`)}`,
    );
    expect([read.status, read.json.error.code]).toEqual([403, 'PATH_FORBIDDEN']);
    const listed = await asMallory<{ error: { code: string } }>('GET', `/api/sites/${mallory.id}/files?path=/public`);
    expect([listed.status, listed.json.error.code]).toEqual([403, 'PATH_FORBIDDEN']);
    const local = join(dir.path, `got-${attack.paths.length}-${Date.now()}`);
    const sftp = await client.sftp('mallory+mallory', key, [`get public${file} ${local}`]);
    expect(sftp.code).not.toBe(0);
    expect(existsSync(local)).toBe(false);
    // `ls` shows the link itself, never what it leads to; entering it is refused.
    const listing = await client.sftp('mallory+mallory', key, ['ls -l public/', 'ls -l public/*']);
    expect(listing.stdout).not.toMatch(/passwd|victim|canary/);
    expect((await client.sftp('mallory+mallory', key, ['cd public'])).code).not.toBe(0);

    const note = await repair();
    expect(note).toMatch(/^public was a symbolic link, not a folder: Dais moved it to public\.moved-\S+ and made an empty public folder\./);
    const aside = (await readdir(siteDir(mallory))).filter((name) => name.startsWith('public.moved-'));
    expect(aside.length).toBeGreaterThan(0);
    await expectServedAgain(`mallory again after ${attack.what}`);
  });

  it('public linked to a folder of its own is served (a release switched by a link): the owner publishes its own files', async () => {
    const made = await inSite('mkdir -p releases/v2 && echo OWN PAGE > releases/v2/own.html');
    expect(made.code, made.stderr).toBe(0);
    await swapPublic('releases/v2');
    for (const page of await visit('/own.html')) expect([page.status, page.body]).toEqual([200, 'OWN PAGE\n']);
    await repair();
    await expectServedAgain('mallory after its own link');
  });

  it('the orchestrator repairs a linked public folder by itself when it starts (its first self-repair pass)', async () => {
    await swapPublic('/etc');
    await stack.stopProcess('orchestrator');
    stack.startProcess('orchestrator');
    await stack.waitUntilReady();
    await eventually(
      () => lstat(siteDir(mallory, 'public')),
      (entry) => entry.isDirectory(),
    );
    expect(stack.logOf('orchestrator')).toMatch(/repaired the site folder/);
    await expectServedAgain('mallory after a restart');
  });
});
