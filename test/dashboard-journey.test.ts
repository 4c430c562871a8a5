import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBindDns, type BindDns } from './support/bind-dns';
import { DashboardHarness, watchPageErrors } from './support/dashboard';
import { SshClient } from './support/ssh-client';
import { tempDir } from './support/temp-dir';

const LONG = 240_000;

/**
 * The journey, end to end in Chromium on a real stack with the SSH shell: a site owner signs
 * in, creates a dynamic site and watches it provision, edits public/index.html and sees it served
 * through the router, runs a command in the terminal, sees a log line, adds a custom domain (and
 * proves control of it with the TXT record the page shows, published in a private BIND), creates
 * a database and runs SELECT 1, adds an SSH key (and signs in over SSH with it), and signs out;
 * someone who is not a member cannot open the site.
 */
describe('dashboard journey: from sign-in to sign-out, in a real browser', () => {
  let harness: DashboardHarness;
  /** The domains' nameserver: the owner publishes the proof record there, as at a DNS provider. */
  let dns: BindDns;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let owner: { username: string; password: string; id: number };
  let page: Page;
  let errors: string[];
  let site: SiteView;

  beforeAll(async () => {
    dns = await startBindDns();
    [harness, dir] = await Promise.all([
      DashboardHarness.start('dashboard-journey', { shell: true, env: { DAIS_DOMAIN_DNS_SERVERS: dns.server } }),
      tempDir('journey'),
    ]);
    owner = await harness.createUser('pat');
    ({ page } = await harness.newPage());
    errors = watchPageErrors(page);
  });
  afterAll(async () => {
    // Either may be missing when the stack did not come up; the failure is reported by beforeAll.
    await (harness as DashboardHarness | undefined)?.stop();
    await (dir as typeof dir | undefined)?.remove();
    await (dns as BindDns | undefined)?.stop();
  });

  const tab = (name: string) => page.locator('.tabs').getByRole('link', { name, exact: true }).click();

  /** Asks the shell its size (`stty size` → "rows cols") and reads the last answer off the screen. */
  async function terminalSize(): Promise<{ rows: number; cols: number }> {
    await page.keyboard.type('clear; echo size-$(stty size)');
    await page.keyboard.press('Enter');
    let answer: RegExpMatchArray | undefined;
    await expect
      .poll(
        async () => {
          answer = [...(await page.locator('.xterm-rows').innerText()).matchAll(/^size-(\d+) (\d+)$/gm)].at(-1);
          return answer !== undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    return { rows: Number(answer![1]), cols: Number(answer![2]) };
  }

  it(
    'signs in, creates a dynamic site and watches it provision',
    async () => {
      await harness.signIn(page, owner);
      await page.getByRole('link', { name: 'Create your first site' }).click();
      await page.getByLabel('Name').fill('journey');
      await page.getByRole('radio', { name: /^Dynamic/ }).check();
      await page.getByLabel('Image').selectOption('busybox');
      await page.getByRole('button', { name: 'Create site' }).click();
      await page.getByRole('heading', { name: 'Create the site' }).waitFor({ timeout: 10_000 });
      await page.locator('section.operation[data-operation-state="succeeded"]').waitFor({ timeout: 120_000 });
      await page.locator('[data-run-state="running"]').waitFor({ timeout: 60_000 });
      const found = await harness.stack.api<{ sites: SiteView[] }>('GET', '/api/sites?search=journey');
      site = found.json.sites[0]!;
      expect((await harness.stack.visit('journey.dais.localhost')).status).toBe(200);
    },
    LONG,
  );

  it(
    'edits public/index.html in the editor and the router serves the change',
    async () => {
      await tab('Files');
      // The tree opens with public/ expanded.
      await page.locator('.file-tree').getByRole('button', { name: 'index.html', exact: true }).click();
      await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toContain('journey');
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('<h1>Written in the Dais editor</h1>\n');
      await page.keyboard.press('Control+s');
      await page.getByTestId('unsaved-marker').waitFor({ state: 'detached', timeout: 15_000 });
      await expect
        .poll(async () => (await harness.stack.visit('journey.dais.localhost')).body, { timeout: 15_000 })
        .toContain('Written in the Dais editor');
    },
    LONG,
  );

  it(
    'runs a command in the terminal, and a line the site writes shows in its logs',
    async () => {
      await tab('Terminal');
      await page.locator('[data-session="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('.terminal-screen').click();
      // PID 1 is the container's init: what it writes is the container's log.
      await page.keyboard.type('echo journey-log-line > /proc/1/fd/1; echo term-$((6*7))');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout: 30_000 }).toMatch(/^term-42$/m);
      // The shell follows the window: a narrower window gives it fewer columns.
      const before = await terminalSize();
      await page.setViewportSize({ width: 700, height: 860 });
      await expect.poll(async () => (await terminalSize()).cols, { timeout: 30_000 }).toBeLessThan(before.cols);
      await page.setViewportSize({ width: 1280, height: 860 });
      await tab('Logs');
      await page.locator('.log-line', { hasText: 'journey-log-line' }).first().waitFor({ timeout: 60_000 });
    },
    LONG,
  );

  it(
    'adds a custom domain, publishes the record the page shows, and sees it routed',
    async () => {
      await tab('Domains');
      await page.getByRole('textbox', { name: 'Custom domain' }).fill('journey.example.org');
      await page.getByRole('button', { name: 'Add domain' }).click();
      const record = page.getByRole('table', { name: 'DNS record to publish for journey.example.org' });
      const cell = (name: string) =>
        record
          .getByRole('row', { name: new RegExp(name) })
          .locator('td')
          .first()
          .innerText();
      await dns.publishTxt(await cell('Name'), [await cell('Value')]);
      await page.getByRole('button', { name: 'Check journey.example.org now' }).click();
      await page.locator('tr[data-hostname="journey.example.org"]').getByText('Active').first().waitFor({ timeout: 60_000 });
      expect((await harness.stack.visit('journey.example.org')).body).toContain('Written in the Dais editor');
    },
    LONG,
  );

  it(
    'creates a database and runs SELECT 1 in the SQL console',
    async () => {
      await tab('Database');
      await page.getByRole('button', { name: 'Create database' }).click();
      await page.getByRole('table', { name: 'Connection details' }).waitFor({ timeout: 120_000 });
      await page.getByRole('textbox', { name: 'Statement' }).fill('SELECT 1');
      await page.getByRole('button', { name: 'Run' }).click();
      await expect.poll(() => page.getByLabel('Query result').getByRole('cell').allTextContents(), { timeout: 30_000 }).toEqual(['1']);
    },
    LONG,
  );

  it(
    'adds an SSH key on the account page, and OpenSSH signs in with it to the edited site',
    async () => {
      const keyFile = join(dir.path, 'pat-key');
      await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pat@laptop', '-f', keyFile]);
      await page.getByRole('link', { name: 'Account', exact: true }).click();
      await page.getByLabel('Key name').fill('laptop');
      await page.getByLabel('Public key', { exact: true }).fill(await readFile(`${keyFile}.pub`, 'utf8'));
      await page.getByRole('button', { name: 'Add key' }).click();
      const fingerprint = (await promisify(execFile)('ssh-keygen', ['-l', '-f', `${keyFile}.pub`])).stdout.split(' ')[1] ?? '';
      await page.getByText(fingerprint, { exact: true }).waitFor({ timeout: 15_000 });
      const client = await SshClient.create(harness.stack.ports.shell, join(harness.stack.stateDir, 'shell', 'host-keys'), dir.path);
      const result = await client.ssh('pat+journey', { keyFile }, ['cat', 'public/index.html']);
      expect(result.stdout, result.stderr).toContain('Written in the Dais editor');
    },
    LONG,
  );

  it('signs out, and the dashboard then asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Dais' }).waitFor();
    await page.goto(`/sites/${site.id}`);
    await page.getByRole('heading', { name: 'Sign in to Dais' }).waitFor();
    expect((await page.context().request.get('/api/sites')).status()).toBe(401);
    expect(errors).toEqual([]);
  });

  it('someone who is not a member cannot open the site page', async () => {
    const stranger = await harness.createUser('quinn');
    const strangerPage = await harness.signedInPage(stranger, `/sites/${site.id}`);
    await strangerPage.getByRole('heading', { name: 'Site not found' }).waitFor();
    expect(await strangerPage.getByText('journey.example.org').count()).toBe(0);
    await strangerPage.goto(`/sites/${site.id}/files`);
    await strangerPage.getByRole('heading', { name: 'Site not found' }).waitFor();
  });
});
