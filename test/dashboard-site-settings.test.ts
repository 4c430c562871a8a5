import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DomainView, OperationView, SiteView } from '@dais/shared';
import { startBindDns, type BindDns } from './support/bind-dns';
import { DashboardHarness, watchPageErrors } from './support/dashboard';
import { addVerifiedDomain } from './support/domains';

type Account = { username: string; password: string; id: number };
type Connection = { password: string; url: string; username: string };

/** What the certificate column says first for a certificate the API reports. */
function certificateLabel(certificate: DomainView['certificate']): string {
  if (!certificate) return 'None yet';
  return { pending: 'Pending', active: 'Active', error: 'Error' }[certificate.state];
}

/** The domains, database and settings pages of a site, driven in Chromium against a real stack. */
describe('dashboard: site domains, database and settings (real stack, Chromium)', () => {
  let harness: DashboardHarness;
  /** The nameserver the manager asks for domain proofs; the test publishes records in it as a domain's owner would. */
  let dns: BindDns;
  let owner: Account;
  let admin: Account;
  let outsider: Account;
  let site: SiteView;
  const pageErrors: string[][] = [];
  /** Windows opened by the current test, closed after it so the two CPUs are not shared with idle pages. */
  let openContexts: BrowserContext[] = [];

  const finished = (id: number) => harness.stack.waitForOperation<OperationView>(id, undefined, 90_000);
  const siteNow = async (): Promise<SiteView> => (await harness.stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json;

  /** A signed-in page whose errors the last test checks; clipboard allowed for the copy buttons. */
  async function pageAs(user: Account, path: string): Promise<{ page: Page; context: BrowserContext }> {
    const { page, context } = await harness.newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.baseUrl });
    openContexts.push(context);
    pageErrors.push(watchPageErrors(page));
    await harness.signIn(page, user, path);
    return { page, context };
  }

  /** Requests of one method whose path ends as given, seen from now on. */
  function recordRequests(page: Page, method: string, pathEnd: string): string[] {
    const seen: string[] = [];
    page.on('request', (request) => {
      if (request.method() === method && new URL(request.url()).pathname.endsWith(pathEnd)) seen.push(request.url());
    });
    return seen;
  }

  beforeAll(async () => {
    dns = await startBindDns();
    harness = await DashboardHarness.start('dashboard-site-settings', { env: { DAIS_DOMAIN_DNS_SERVERS: dns.server } });
    [owner, admin, outsider] = await Promise.all([
      harness.createUser('olga'),
      harness.createUser('ada', { role: 'admin' }),
      harness.createUser('nina'),
      harness.createUser('bruno', { email: 'bruno@example.org' }),
    ]);
    site = await harness.stack.createSite('shop');
    const other = await harness.stack.createSite('rival');
    expect((await finished(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await finished(other.operation?.id ?? 0)).state).toBe('succeeded');
    const added = await harness.stack.api('POST', `/api/sites/${site.id}/members`, { username: 'olga' });
    expect(added.status).toBe(201);
    const taken = await addVerifiedDomain(harness.stack, other.id, 'taken.example.com');
    expect((await finished(taken.operation.id)).state).toBe('succeeded');
  }, 180_000);
  afterEach(async () => {
    await Promise.all(openContexts.map((context) => context.close()));
    openContexts = [];
  });
  afterAll(async () => {
    await harness.stop();
    await dns.stop();
  });

  it('checks a hostname as it is typed, shows a conflict under the field, and adds a domain that becomes active once proven', async () => {
    const { page } = await pageAs(owner, `/sites/${site.id}/domains`);
    const posts = recordRequests(page, 'POST', '/domains');
    const hostname = page.getByRole('textbox', { name: 'Custom domain' });
    const add = page.getByRole('button', { name: 'Add domain' });
    await page.getByText(/CNAME/).waitFor();
    expect(await page.locator('.notice-info code').first().textContent()).toMatch(/^shop\./);

    await hostname.fill('exa mple..com');
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/must not contain spaces/);
    expect(await add.isDisabled()).toBe(true);
    await hostname.press('Enter');
    expect(posts).toEqual([]);

    await hostname.fill('taken.example.com');
    await add.click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/already a domain of a site/);
    expect(posts).toHaveLength(1);

    await hostname.fill('www.shop-example.com');
    await add.click();
    const row = page.locator('tr[data-hostname="www.shop-example.com"]');
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/Unverified/);
    expect(await hostname.inputValue()).toBe('');

    // The record to publish, exactly as the API gives it, with copy buttons; no admin button for an owner.
    const [claimed] = (await siteNow()).domains;
    const record = claimed?.verification.record;
    expect(record?.name).toBe('_dais-challenge.www.shop-example.com');
    const proof = page.getByRole('group', { name: 'Proof of control of www.shop-example.com' });
    const recordTable = proof.getByRole('table', { name: 'DNS record to publish for www.shop-example.com' });
    expect(await recordTable.getByRole('row', { name: /Name/ }).textContent()).toContain(record?.name);
    await recordTable.getByRole('button', { name: 'Copy value' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(record?.value);
    expect(await proof.getByRole('button', { name: /^Mark .* verified$/ }).count()).toBe(0);

    // Checked before the record exists: the reason, in words.
    await proof.getByRole('button', { name: 'Check www.shop-example.com now' }).click();
    await expect
      .poll(() => proof.getByRole('status').textContent())
      .toMatch(/does not exist \(NXDOMAIN\): publish a TXT record named _dais-challenge/);
    await harness.screenshot(page, 'domains-proof');
    expect((await harness.stack.visit('www.shop-example.com')).status).toBe(404);

    // Published (as its DNS provider would), checked again: verified, routed, served.
    await dns.publishTxt(record?.name ?? '', [record?.value ?? '']);
    await proof.getByRole('button', { name: 'Check www.shop-example.com now' }).click();
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toMatch(/Active/);
    expect(await row.textContent()).toMatch(/Verified by its DNS record/);
    expect(await page.locator('tr[data-proof-for="www.shop-example.com"]').count()).toBe(0);
    expect((await harness.stack.visit('www.shop-example.com')).status).toBe(200);
    // The page shows the certificate as the router last reported it (the API's view), message included.
    const certificateCell = row.locator('td').nth(1);
    await expect
      .poll(
        async () => {
          const certificate = (await siteNow()).domains[0]?.certificate ?? null;
          const text = (await certificateCell.textContent()) ?? '';
          return text.includes(certificateLabel(certificate)) && (!certificate?.message || text.includes(certificate.message));
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    await harness.screenshot(page, 'domains');

    const domains = (await siteNow()).domains;
    expect(domains.map((domain) => [domain.hostname, domain.status])).toEqual([['www.shop-example.com', 'active']]);

    await row.getByRole('button', { name: 'Remove www.shop-example.com' }).click();
    await page.getByRole('button', { name: 'Remove domain' }).click();
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(0);
    expect((await siteNow()).domains).toEqual([]);
  }, 150_000);

  it('lets an admin mark a claimed domain verified by hand from the domains page', async () => {
    const claimed = await harness.stack.api<{ domain: DomainView }>('POST', `/api/sites/${site.id}/domains`, {
      hostname: 'by-hand.shop-example.com',
    });
    expect(claimed.status).toBe(201);
    const { page } = await pageAs(admin, `/sites/${site.id}/domains`);
    const row = page.locator('tr[data-hostname="by-hand.shop-example.com"]');
    await expect.poll(() => row.textContent()).toMatch(/Unverified/);
    await page.getByRole('button', { name: 'Mark by-hand.shop-example.com verified' }).click();
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toMatch(/Active/);
    expect(await row.textContent()).toContain('Verified by hand by ada.');
    expect((await harness.stack.visit('by-hand.shop-example.com')).status).toBe(200);
    const audit = await harness.stack.api<{ events: { action: string; actor: string; details: { hostname?: string } }[] }>(
      'GET',
      `/api/audit?siteId=${site.id}`,
    );
    expect(audit.json.events.find((event) => event.action === 'domain.verify')).toMatchObject({
      actor: 'ada',
      details: { hostname: 'by-hand.shop-example.com' },
    });
    const removal = await harness.stack.api<OperationView>('DELETE', `/api/sites/${site.id}/domains/${claimed.json.domain.id}`);
    expect((await finished(removal.json.id)).state).toBe('succeeded');
  }, 120_000);

  it('creates a PostgreSQL database, reveals and copies its password, and runs statements in the console', async () => {
    const { page } = await pageAs(owner, `/sites/${site.id}/database`);
    await page.getByRole('button', { name: 'Create database' }).click();
    await page.getByRole('table', { name: 'Connection details' }).waitFor({ timeout: 90_000 });
    const connection = (await harness.stack.api<Connection>('GET', `/api/sites/${site.id}/database`)).json;

    // Hidden until asked, then shown and copied.
    const passwordRow = page.getByRole('row', { name: /Password/ });
    expect(await passwordRow.textContent()).not.toContain(connection.password);
    expect(await page.content()).not.toContain(connection.password);
    await passwordRow.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => passwordRow.textContent()).toContain(connection.password);
    await passwordRow.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => passwordRow.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(connection.password);
    await page
      .getByRole('row', { name: /Username/ })
      .getByRole('button', { name: 'Copy username' })
      .click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(connection.username);

    const statement = page.getByRole('textbox', { name: 'Statement' });
    await statement.fill('SELECT 1 AS one, NULL AS nothing');
    await statement.press('Control+Enter');
    const result = page.getByLabel('Query result');
    await result.waitFor();
    await expect.poll(() => result.getByRole('columnheader').allTextContents()).toEqual(['one', 'nothing']);
    expect(await result.getByRole('cell').allTextContents()).toEqual(['1', 'NULL']);
    expect(await result.locator('.sql-null').count()).toBe(1);
    expect(await result.textContent()).toMatch(/SELECT · 1 row/);
    await passwordRow.getByRole('button', { name: 'Hide' }).click();
    await result.scrollIntoViewIfNeeded();
    await harness.screenshot(page, 'database');

    await statement.fill('SELEC 1');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/syntax error at or near "SELEC"/);
    expect(await page.getByRole('alert').first().textContent()).toMatch(/line 1, column 1/);
    expect(await result.count()).toBe(0);
  }, 150_000);

  it('saves a hostile description as text and adds a member by e-mail address, with refusals under the field', async () => {
    const { page } = await pageAs(owner, `/sites/${site.id}/settings`);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hostile = '<img src=x onerror=alert(1)>';
    await page.getByRole('textbox', { name: 'Description' }).fill(hostile);
    await page.getByRole('button', { name: 'Save description' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await siteNow()).description).toBe(hostile);
    await page.reload();
    await expect.poll(() => page.getByRole('textbox', { name: 'Description' }).inputValue()).toBe(hostile);
    expect(await page.getByRole('heading', { name: 'Administration' }).count()).toBe(0);

    // A member who is not an admin names people by the e-mail address of their account, never by username.
    const person = page.getByRole('textbox', { name: 'Add a member by e-mail address' });
    const addMember = page.getByRole('button', { name: 'Add member' });
    await person.fill('bruno');
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/e-mail address/);
    expect(await addMember.isDisabled()).toBe(true);
    await person.fill('nobody@example.org');
    await addMember.click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/No account can be added by that/);
    await person.fill('Bruno@Example.org');
    await addMember.click();
    await page.getByText('@bruno').waitFor();
    await person.fill('bruno@example.org');
    await addMember.click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/already a member/);
    const members = await harness.stack.api<{ members: { username: string }[] }>('GET', `/api/sites/${site.id}/members`);
    expect(members.json.members.map((member) => member.username).sort()).toEqual(['admin', 'bruno', 'olga']);
    await harness.screenshot(page, 'settings');

    // Packages and variable names are checked with the server's rules before anything is sent.
    const patches = recordRequests(page, 'PATCH', `/api/sites/${site.id}`);
    await page.getByRole('radio', { name: /^Dynamic/ }).check();
    await page.getByRole('textbox', { name: 'Extra packages' }).fill('curl -rf');
    await expect.poll(() => page.getByText(/"-rf" must be a package name/).count()).toBe(1);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('textbox', { name: 'Variable 1 name' }).fill('PATH');
    await expect.poll(() => page.getByText('PATH: is set by Dais and cannot be overridden').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Apply changes' }).isDisabled()).toBe(true);
    await page.getByRole('radio', { name: /^Static/ }).check();
    expect(await page.getByRole('button', { name: 'Apply changes' }).isDisabled()).toBe(true);
    expect(patches).toEqual([]);

    await page.goto('/sites');
    await page.getByText(hostile).first().waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  }, 120_000);

  it('tells someone who is not a member that the site is not found', async () => {
    const { page } = await pageAs(outsider, `/sites/${site.id}/settings`);
    await page.getByRole('heading', { name: 'Site not found' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Description' }).count()).toBe(0);
  }, 60_000);

  it('lets an admin change the limits (bounds checked at the field) and the availability', async () => {
    const { page } = await pageAs(admin, `/sites/${site.id}/settings`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    const memory = page.getByRole('spinbutton', { name: 'Memory (MB)' });
    const saveLimits = page.getByRole('button', { name: 'Save limits' });
    await memory.fill('10');
    await expect.poll(() => page.locator('.field-error').first().textContent()).toBe('memoryMb must be at least 32 MB');
    expect(await saveLimits.isDisabled()).toBe(true);
    await memory.fill('512');
    await page.getByRole('spinbutton', { name: 'CPUs' }).fill('1');
    await saveLimits.click();
    await page.getByText(/Limits saved/).waitFor();
    const afterLimits = await siteNow();
    expect(afterLimits.operation?.kind).toBe('update_site');
    expect((await finished(afterLimits.operation?.id ?? 0)).state).toBe('succeeded');
    const audit = await harness.stack.api<{ events: { action: string; details: { fields?: string[] } }[] }>(
      'GET',
      `/api/audit?siteId=${site.id}`,
    );
    expect(audit.json.events.filter((event) => event.action === 'site.update').map((event) => event.details.fields)).toContainEqual([
      'limits',
    ]);

    await page.getByRole('radio', { name: /Not served/ }).check();
    await page.getByRole('button', { name: 'Save availability' }).click();
    await expect.poll(async () => (await siteNow()).availability).toBe('not_served');
    await expect.poll(() => page.getByRole('button', { name: 'Save availability' }).isDisabled()).toBe(true);
    const afterAvailability = await siteNow();
    expect((await finished(afterAvailability.operation?.id ?? 0)).state).toBe('succeeded');

    // Every section fits a 360 px phone: nothing but the tables' own scroll areas is wider.
    await page.setViewportSize({ width: 360, height: 780 });
    for (const tab of ['domains', 'database', 'settings']) {
      await page.goto(`/sites/${site.id}/${tab}`);
      await page.getByRole('link', { name: 'Settings' }).waitFor();
      await page.locator('section form, section .card').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), tab).toBeLessThanOrEqual(360);
    }
  }, 120_000);

  it('threw no error in any page', () => {
    expect(pageErrors.flat()).toEqual([]);
  });
});
