import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { OperationView, SiteView, UserView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVerifiedDomain } from './support/domains';
import { BrowserSession } from './support/browser-session';
import { DashboardHarness, untilSettled, watchPageErrors } from './support/dashboard';
import { signedFetch } from './support/signed-fetch';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);
const LONG = 180_000;

type AuditAnswer = { events: { action: string; actor: string }[] };

describe('the account page and the admin area of the dashboard', () => {
  let harness: DashboardHarness;
  let keysDir: Awaited<ReturnType<typeof tempDir>>;
  let admin: { username: string; password: string };
  let uma: { username: string; password: string };
  let umaPage: Page;
  let adminPage: Page;
  const problems: string[][] = [];

  /** The error shown under the field with this label (the Field primitive's `.field-error`). */
  const errorUnder = (page: Page, label: string) =>
    page
      .locator('.field')
      .filter({ has: page.getByLabel(label, { exact: true }) })
      .locator('.field-error');

  /** Calls the API with a bearer token, as a script would. */
  const withToken = (token: string, path: string) =>
    fetch(`${harness.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((response) => response.status);

  beforeAll(async () => {
    harness = await DashboardHarness.start('dashboard-account');
    keysDir = await tempDir('dashboard-keys');
    admin = await harness.createUser('ada', { role: 'admin' });
    uma = await harness.createUser('uma');
    umaPage = await harness.signedInPage(uma, '/account');
    adminPage = await harness.signedInPage(admin, '/admin');
    problems.push(watchPageErrors(umaPage), watchPageErrors(adminPage));
  }, LONG);

  afterAll(async () => {
    await harness.stop();
    await keysDir.remove();
  });

  it(
    'sets and checks an e-mail address, the one other people add the person to sites by',
    async () => {
      await harness.createUser('taken', { email: 'taken@example.org' });
      await umaPage.goto('/account');
      const email = umaPage.getByLabel('Your e-mail address', { exact: true });
      await email.fill('not an address');
      await expect.poll(() => errorUnder(umaPage, 'Your e-mail address').textContent()).toContain('e-mail address');
      await email.fill('Taken@Example.org');
      await umaPage.getByRole('button', { name: 'Save address' }).click();
      await expect.poll(() => errorUnder(umaPage, 'Your e-mail address').textContent()).toContain('already has');
      await email.fill('Uma@Example.org');
      await umaPage.getByRole('button', { name: 'Save address' }).click();
      await umaPage.getByText('Saved: site owners can add you by uma@example.org.').waitFor();
      const me = await harness.stack.api<{ users: UserView[] }>('GET', '/api/users?limit=200');
      expect(me.json.users.find((user) => user.username === 'uma')?.email).toBe('uma@example.org');
    },
    LONG,
  );

  it(
    'changes the password: a wrong current one is named under its field, then the other sessions and API tokens end',
    async () => {
      const otherSession = new BrowserSession(harness.baseUrl);
      expect((await otherSession.login(uma.username, uma.password)).status).toBe(200);
      const token = (await otherSession.request<{ token: string }>('POST', '/api/tokens', { name: 'before the change' })).json.token;
      await umaPage.goto('/account');
      const newPassword = 'correct horse battery 7';
      await umaPage.getByLabel('Current password', { exact: true }).fill('not my password at all');
      await umaPage.getByLabel('New password', { exact: true }).fill('short');
      // Checked with the server's own rules while typing.
      await expect.poll(() => errorUnder(umaPage, 'New password').textContent()).toContain('at least 10 characters');
      await umaPage.getByLabel('New password', { exact: true }).fill(newPassword);
      await umaPage.getByLabel('Repeat new password', { exact: true }).fill(newPassword);
      await umaPage.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => errorUnder(umaPage, 'Current password').textContent()).toContain('does not match');

      await umaPage.getByLabel('Current password', { exact: true }).fill(uma.password);
      expect(await umaPage.getByLabel('Sign out everywhere else').isChecked()).toBe(true);
      await umaPage.getByRole('button', { name: 'Change password' }).click();
      await umaPage.getByText('Every other session of this account has been signed out').waitFor();
      expect((await otherSession.request('GET', '/api/auth/me')).status).toBe(401);
      expect(await withToken(token, '/api/auth/me')).toBe(401);
      uma = { ...uma, password: newPassword };
      // This session stays signed in.
      await umaPage.reload();
      await umaPage.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    },
    LONG,
  );

  it(
    'creates an API token shown once, which works for scripts until it is revoked',
    async () => {
      await umaPage.getByLabel('Token name').fill('deploy script');
      await umaPage.getByRole('button', { name: 'Create token' }).click();
      const notice = umaPage.locator('.new-token');
      await notice.getByText('it will not be shown again').waitFor();
      await notice.getByRole('button', { name: 'Show' }).click();
      const token = (await notice.getByLabel('New API token', { exact: true }).textContent()) ?? '';
      expect(token).toMatch(/^dais_/);
      expect(await withToken(token, '/api/auth/me')).toBe(200);

      await umaPage.reload();
      const row = umaPage.getByRole('row').filter({ hasText: 'deploy script' });
      await row.waitFor();
      expect(await umaPage.content()).not.toContain(token);
      await row.getByRole('button', { name: 'Revoke' }).click();
      await umaPage.getByRole('button', { name: 'Revoke token' }).click();
      await row.waitFor({ state: 'detached' });
      expect(await withToken(token, '/api/auth/me')).toBe(401);
    },
    LONG,
  );

  it(
    'adds an SSH key and shows its fingerprint; a garbage key is refused under the field',
    async () => {
      const path = join(keysDir.path, 'id_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'uma@laptop', '-f', path]);
      const fingerprint = (await run('ssh-keygen', ['-l', '-f', `${path}.pub`])).stdout.split(' ')[1] ?? '';
      const publicLine = (await readFile(`${path}.pub`, 'utf8')).trim();

      await umaPage.getByLabel('Key name').fill('laptop');
      await umaPage.getByLabel('Public key', { exact: true }).fill('ssh-ed25519 this-is-not-a-key');
      await umaPage.getByRole('button', { name: 'Add key' }).click();
      await expect.poll(() => errorUnder(umaPage, 'Public key').textContent()).toMatch(/\S/);

      await umaPage.getByLabel('Public key', { exact: true }).fill(publicLine);
      await umaPage.getByRole('button', { name: 'Add key' }).click();
      await umaPage.getByText(fingerprint, { exact: true }).waitFor();
      await expect.poll(() => errorUnder(umaPage, 'Public key').count()).toBe(0);
    },
    LONG,
  );

  it(
    "shows the ssh and sftp commands with this installation's shell port",
    async () => {
      const port = harness.stack.ports.shell;
      const commands = umaPage.locator('.command-list');
      await commands.getByText(`ssh -p ${port} uma@`).waitFor();
      await commands.getByText(new RegExp(`^ssh -p ${port} uma\\+SITE@`)).waitFor();
      await commands.getByText(new RegExp(`^sftp -P ${port} uma\\+SITE@`)).waitFor();
      expect(await commands.getByRole('button', { name: 'Copy' }).count()).toBe(3);
      await umaPage.evaluate(() => window.scrollTo(0, 0));
      await harness.screenshot(umaPage, 'account');
    },
    LONG,
  );

  it(
    'lets an admin retry a failed operation from the admin area and shows it succeed',
    async () => {
      const created = await harness.stack.createSite('clashing');
      expect((await harness.stack.waitForOperation<OperationView>(created.operation?.id ?? 0)).state).toBe('succeeded');
      // The router already gives this hostname to another site, so routing the new domain fails.
      const router = { url: `http://127.0.0.1:${harness.stack.ports.router}`, signer: harness.stack.signer('manager', 'router') };
      const held = await signedFetch(router.url, router.signer, 'PUT', '/v1/routes/999990', {
        body: { siteId: 999990, hostnames: ['held.example.com'] },
      });
      expect(held.status).toBe(200);
      const added = await addVerifiedDomain(harness.stack, created.id, 'held.example.com');
      expect((await harness.stack.waitForOperation<OperationView>(added.operation.id)).state).toBe('failed');

      await adminPage.goto('/admin/operations');
      const row = adminPage.getByRole('listitem').filter({ hasText: 'clashing' }).first();
      await row.getByText('held.example.com already belongs to site 999990').first().waitFor();
      await row.getByText('Stopped at:').waitFor();
      await harness.screenshot(adminPage, 'admin-operations');

      expect((await signedFetch(router.url, router.signer, 'DELETE', '/v1/routes/999990')).status).toBe(200);
      await row.getByRole('button', { name: 'Retry' }).click();
      await row.getByText(/^Retry: succeeded/).waitFor({ timeout: 60_000 });
      const after = await harness.stack.api<OperationView>('GET', `/api/operations/${added.operation.id}`);
      expect(after.json.state).toBe('succeeded');
    },
    LONG,
  );

  it(
    'lets an admin repair the site of a failed operation and follows the repair live',
    async () => {
      const created = await harness.stack.createSite('mended');
      expect((await harness.stack.waitForOperation<OperationView>(created.operation?.id ?? 0)).state).toBe('succeeded');
      const router = { url: `http://127.0.0.1:${harness.stack.ports.router}`, signer: harness.stack.signer('manager', 'router') };
      const held = await signedFetch(router.url, router.signer, 'PUT', '/v1/routes/999991', {
        body: { siteId: 999991, hostnames: ['mended.example.com'] },
      });
      expect(held.status).toBe(200);
      const added = await addVerifiedDomain(harness.stack, created.id, 'mended.example.com');
      expect((await harness.stack.waitForOperation<OperationView>(added.operation.id)).state).toBe('failed');

      await adminPage.goto('/admin/operations');
      const row = adminPage.getByRole('listitem').filter({ hasText: 'mended' }).first();
      await row.getByText('mended.example.com already belongs to site 999991').first().waitFor();
      expect((await signedFetch(router.url, router.signer, 'DELETE', '/v1/routes/999991')).status).toBe(200);
      await row.getByRole('button', { name: 'Repair site' }).click();
      await row.getByText(/^Repair the site: succeeded/).waitFor({ timeout: 60_000 });
      expect((await harness.stack.visit('mended.example.com')).status).toBe(200);
    },
    LONG,
  );

  it(
    'lists every site with its filters and changes availability in place',
    async () => {
      const id = await siteId('clashing');
      await adminPage.goto('/admin/sites');
      const row = adminPage.getByRole('listitem').filter({ hasText: 'clashing' });
      await row.waitFor();
      await row.getByLabel('Availability').selectOption('not_served');
      await expect.poll(async () => (await harness.stack.api<SiteView>('GET', `/api/sites/${id}`)).json.availability).toBe('not_served');
      await adminPage.locator('.admin-filters').getByLabel('Availability').selectOption('enabled');
      await row.waitFor({ state: 'detached' });
      await adminPage.locator('.admin-filters').getByLabel('Availability').selectOption('not_served');
      await row.waitFor();
    },
    LONG,
  );

  it(
    "edits a dynamic site's resource limits within the bounds",
    async () => {
      const created = await harness.stack.api<SiteView>('POST', '/api/sites', { name: 'limited', type: 'dynamic', image: 'busybox' });
      expect(created.status, JSON.stringify(created.json)).toBe(202);
      expect((await harness.stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0, undefined, LONG)).state).toBe(
        'succeeded',
      );
      await adminPage.goto('/admin/sites?search=limited');
      const row = adminPage.getByRole('listitem').filter({ hasText: 'limited' });
      await row.getByRole('button', { name: 'Edit limits' }).click();
      await row.getByLabel('Memory (MB)').fill('8');
      await expect.poll(() => errorUnder(adminPage, 'Memory (MB)').textContent()).toContain('at least 32');
      await row.getByLabel('Memory (MB)').fill('128');
      await row.getByRole('button', { name: 'Save limits' }).click();
      await expect
        .poll(async () => (await harness.stack.api<SiteView>('GET', `/api/sites/${created.json.id}`)).json.runtime?.limits.memoryMb, {
          timeout: 60_000,
        })
        .toBe(128);
      await row.getByText('128 MB').waitFor();
    },
    LONG,
  );

  async function siteId(name: string): Promise<number> {
    const sites = await harness.stack.api<{ sites: SiteView[] }>('GET', `/api/sites?search=${name}`);
    return sites.json.sites.find((site) => site.name === name)?.id ?? 0;
  }

  it(
    'lets an admin create a user, who can then sign in',
    async () => {
      await adminPage.goto('/admin/users');
      await adminPage.getByText('Create a user').click();
      await adminPage.getByLabel('New username').fill('neo');
      await adminPage.getByLabel('Display name').fill('Neo Newcomer');
      await adminPage.getByLabel('E-mail address (optional)').fill('neo@example.org');
      await adminPage.getByLabel('First password').fill('neo first password 1');
      await adminPage.getByRole('button', { name: 'Create user' }).click();
      await adminPage.getByText('User neo created.').waitFor();
      await adminPage.getByRole('listitem', { name: 'User neo' }).getByText('neo@example.org').waitFor();
      await harness.screenshot(adminPage, 'admin-users');

      const neoPage = await harness.signedInPage({ username: 'neo', password: 'neo first password 1' });
      problems.push(watchPageErrors(neoPage));
      await neoPage.getByRole('heading', { name: 'Sites' }).waitFor();
      await neoPage.context().close();
    },
    LONG,
  );

  it(
    'lets an admin disable and enable a user, change a role and reset a password',
    async () => {
      const neoSession = new BrowserSession(harness.baseUrl);
      expect((await neoSession.login('neo', 'neo first password 1')).status).toBe(200);
      const roleOfNeo = async () =>
        (await harness.stack.api<{ users: UserView[] }>('GET', '/api/users?limit=200')).json.users.find((user) => user.username === 'neo')
          ?.role;
      await adminPage.goto('/admin/users');
      const neo = adminPage.getByRole('listitem', { name: 'User neo' });
      await neo.getByRole('button', { name: 'Disable', exact: true }).click();
      await adminPage.getByRole('button', { name: 'Disable account' }).click();
      await neo.getByText('Disabled', { exact: true }).waitFor();
      expect((await neoSession.request('GET', '/api/auth/me')).status).toBe(401);
      await neo.getByRole('button', { name: 'Enable', exact: true }).click();
      await neo.getByText('Active', { exact: true }).waitFor();

      await neo.getByLabel('Role').selectOption('admin');
      await expect.poll(roleOfNeo).toBe('admin');
      await neo.getByLabel('Role').selectOption('user');
      await expect.poll(roleOfNeo).toBe('user');

      await neo.getByRole('button', { name: 'Reset password' }).click();
      await neo.getByLabel('New password for neo').fill('short');
      await expect.poll(() => errorUnder(adminPage, 'New password for neo').textContent()).toContain('at least 10 characters');
      // Keeping the sessions, then not (the default): a reset usually means the old password leaked.
      const neoAgain = new BrowserSession(harness.baseUrl);
      expect((await neoAgain.login('neo', 'neo first password 1')).status).toBe(200);
      await neo.getByLabel('New password for neo').fill('neo second password 2');
      await neo.getByLabel('Keep their sessions and API tokens').check();
      await neo.getByRole('button', { name: 'Set password', exact: true }).click();
      await neo.getByText('their sessions were kept').waitFor();
      expect((await neoAgain.request('GET', '/api/auth/me')).status).toBe(200);
      await neo.getByRole('button', { name: 'Reset password' }).click();
      await neo.getByLabel('New password for neo').fill('neo third password 3');
      await neo.getByRole('button', { name: 'Set password', exact: true }).click();
      await neo.getByText('they were signed out everywhere').waitFor();
      expect((await neoAgain.request('GET', '/api/auth/me')).status).toBe(401);
      expect((await new BrowserSession(harness.baseUrl).login('neo', 'neo third password 3')).status).toBe(200);
    },
    LONG,
  );

  it(
    'registers a database host without showing its password back, and adds an image to the catalogue',
    async () => {
      await adminPage.goto('/admin/database-hosts');
      await adminPage.getByText('Register a database host').click();
      await adminPage.getByLabel('Host name', { exact: true }).fill('Bad Name');
      await adminPage.getByRole('button', { name: 'Register host' }).click();
      await expect.poll(() => errorUnder(adminPage, 'Host name').textContent()).toContain('lowercase');
      await adminPage.getByLabel('Host name', { exact: true }).fill('spare-pg');
      await adminPage.getByLabel('Admin address', { exact: true }).fill('127.0.0.1');
      await adminPage.getByLabel('Admin user', { exact: true }).fill('postgres');
      await adminPage.getByLabel('Admin password', { exact: true }).fill('sup3r-secret-pw');
      await adminPage.getByLabel('Address for sites', { exact: true }).fill('172.30.0.1');
      await adminPage.getByRole('button', { name: 'Register host' }).click();
      const hosts = adminPage.getByRole('table', { name: 'Database hosts' });
      await hosts.getByRole('row').filter({ hasText: 'spare-pg' }).waitFor();
      await adminPage.reload();
      await hosts.getByRole('row').filter({ hasText: 'spare-pg' }).waitFor();
      expect(await adminPage.content()).not.toContain('sup3r-secret-pw');

      await adminPage.goto('/admin/images');
      await adminPage.getByText('Add an image').click();
      await adminPage.getByLabel('Image name', { exact: true }).fill('tiny');
      await adminPage.getByLabel('Base image', { exact: true }).fill('busybox:latest');
      await adminPage.getByLabel('Package install command', { exact: true }).fill('apk add --no-cache');
      await adminPage.getByRole('button', { name: 'Add image' }).click();
      await adminPage.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: 'tiny' }).waitFor();
      const images = await harness.stack.api<{
        images: { name: string; packageInstall: string[] | null; packageUpdate: string[] | null }[];
      }>('GET', '/api/images');
      expect(images.json.images.find((image) => image.name === 'tiny')).toMatchObject({
        packageInstall: ['apk', 'add', '--no-cache'],
        packageUpdate: null,
      });
    },
    LONG,
  );

  it(
    'shows a non-admin "Page not found" at /admin and reads no admin data',
    async () => {
      const asked: string[] = [];
      umaPage.on('request', (request) => asked.push(new URL(request.url()).pathname));
      for (const path of ['/admin', '/admin/users', '/admin/operations']) {
        await umaPage.goto(path);
        await umaPage.getByRole('heading', { name: 'Page not found' }).waitFor();
      }
      expect(asked.filter((path) => /^\/api\/(users|operations|database-hosts|audit)/.test(path))).toEqual([]);
      expect(await umaPage.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    },
    LONG,
  );

  it(
    'shows the audit log with what was just done, as text',
    async () => {
      const answer = await harness.stack.api<AuditAnswer>('GET', '/api/audit?limit=200');
      const actions = new Set(answer.json.events.map((event) => event.action));
      for (const action of ['auth.password.change', 'token.create', 'token.revoke', 'user.create']) expect(actions).toContain(action);

      await adminPage.goto('/admin/audit');
      const table = adminPage.getByRole('table', { name: 'Audit log' });
      await table.waitFor();
      for (const action of ['auth.password.change', 'token.create', 'token.revoke', 'user.create']) {
        await table.getByText(action, { exact: true }).first().waitFor();
      }
      await table.getByRole('row').filter({ hasText: 'user.create' }).filter({ hasText: 'ada' }).first().waitFor();
    },
    LONG,
  );

  it(
    'works at 360 px wide without sideways scrolling',
    async () => {
      await adminPage.setViewportSize({ width: 360, height: 740 });
      for (const path of [
        '/account',
        '/admin/sites',
        '/admin/users',
        '/admin/database-hosts',
        '/admin/images',
        '/admin/operations',
        '/admin/audit',
      ]) {
        await adminPage.goto(path);
        await adminPage.locator('main h1').waitFor();
        await untilSettled(adminPage);
        const overflow = await adminPage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
      await adminPage.setViewportSize({ width: 1280, height: 860 });
    },
    LONG,
  );

  it('raised no error in any page', () => {
    expect(problems.flat()).toEqual([]);
  });
});
