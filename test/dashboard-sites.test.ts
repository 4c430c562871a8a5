import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteView } from '@dais/shared';
import { DashboardHarness, watchPageErrors } from './support/dashboard';

/** Sign-in, the site list (search, pages, live dots), the create-site wizard and the connection banner, in Chromium. */
describe('dashboard: sign-in, sites and the create-site wizard (real stack, Chromium)', () => {
  let harness: DashboardHarness;
  let owner: { username: string; password: string; id: number };

  beforeAll(async () => {
    harness = await DashboardHarness.start('dashboard-sites');
    owner = await harness.createUser('olivia');
  });
  afterAll(async () => harness.stop());

  /** Seen texts of an element over time (MutationObserver in the page), to catch short-lived states. */
  async function recordTexts(page: Page, selector: string): Promise<() => Promise<string[]>> {
    await page.evaluate((target) => {
      const seen: string[] = [];
      (window as unknown as { seenTexts: string[] }).seenTexts = seen;
      const note = (): void => {
        for (const element of document.querySelectorAll(target))
          if (element.textContent && !seen.includes(element.textContent)) seen.push(element.textContent);
      };
      note();
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, selector);
    return () => page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts);
  }

  it('refuses a wrong password on the page, then signs in and returns where the person was going', async () => {
    const { page } = await harness.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/account');
    await expect.poll(() => page.url()).toContain('/sign-in?next=%2Faccount');
    await harness.screenshot(page, 'sign-in');
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/username or password/i);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account');
    expect(errors).toEqual([]);
  });

  it('never follows a sign-in "next" off the dashboard', async () => {
    const { page } = await harness.newPage();
    await page.goto('/sign-in?next=%2F%2Fevil.example%2Fx');
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.url()).toBe(`${harness.baseUrl}/sites`);
  });

  it('checks the name as it is typed with the server rules, sends nothing invalid, then creates and watches the site provision', async () => {
    const page = await harness.signedInPage(owner, '/sites');
    const errors = watchPageErrors(page);
    await page.getByText('You have no sites yet.').waitFor();
    await harness.screenshot(page, 'sites-empty');
    await page.getByRole('link', { name: 'Create your first site' }).click();
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/sites')) posts.push(request.url());
    });
    const name = page.getByLabel('Name');
    const create = page.getByRole('button', { name: 'Create site' });
    for (const [typed, rule] of [
      ['a', /2 to 32 characters/i],
      ['9lives', /start with a lowercase letter/i],
      ['my--site', /two hyphens|--/i],
      ['admin', /reserved/i],
    ] as const) {
      await name.fill(typed);
      await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(rule);
      expect(await create.isDisabled()).toBe(true);
    }
    expect(posts).toEqual([]);
    await name.fill('journal');
    await harness.screenshot(page, 'create-site');
    await create.click();
    await page.locator('.site-header h1', { hasText: 'journal' }).waitFor();
    await page.locator('.site-header .status-ok').waitFor({ timeout: 30_000 });
    expect(posts).toHaveLength(1);
    expect((await harness.stack.visit('journal.dais.localhost')).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('shows the server refusal next to the name when the name is taken', async () => {
    expect((await harness.stack.api('POST', '/api/sites', { name: 'taken' })).status).toBe(202);
    const page = await harness.signedInPage(owner, '/sites/new');
    await page.getByLabel('Name').fill('taken');
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/taken|already/i);
  });

  it('searches, pages, and keeps each dot live while operations run', async () => {
    const created: SiteView[] = [];
    for (let index = 0; index < 21; index++) {
      const answer = await harness.stack.api<SiteView>('POST', '/api/sites', {
        name: `page-${String(index).padStart(2, '0')}`,
        description: 'bulk',
      });
      expect(answer.status).toBe(202);
      created.push(answer.json);
    }
    const admin = await harness.createUser('ada', { role: 'admin' });
    const page = await harness.signedInPage(admin, '/sites');
    const errors = watchPageErrors(page);
    await expect.poll(() => page.locator('.site-row').count()).toBe(20);
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => page.locator('.site-row').count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByRole('searchbox', { name: 'Search sites' }).fill('page-07');
    await expect.poll(() => page.locator('.site-row-name').allTextContents()).toEqual(['page-07']);
    await page.locator('.site-row .status-ok').waitFor({ timeout: 30_000 });
    const seen = await recordTexts(page, '.site-row .status');
    const target = created.find((site) => site.name === 'page-07');
    expect((await harness.stack.api('POST', `/api/sites/${target?.id}/repair`)).status).toBe(202);
    await expect.poll(seen, { timeout: 30_000 }).toContainEqual(expect.stringMatching(/^Working|^Queued/));
    await expect.poll(() => page.locator('.site-row .status').textContent(), { timeout: 30_000 }).toBe('Live');
    expect(errors).toEqual([]);
  });

  it('says when the live connection is lost and catches up when it is back', async () => {
    const page = await harness.signedInPage(owner, '/sites');
    await page.locator('.site-row').first().waitFor();
    await harness.stack.stopProcess('manager');
    await page.getByTestId('connection-banner').waitFor({ timeout: 20_000 });
    harness.stack.startProcess('manager');
    await harness.stack.waitUntilReady();
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.locator('.site-row-name').allTextContents()).toContain('journal');
  });

  it('goes back to the sign-in page at once when the session is ended elsewhere (account disabled)', async () => {
    const leaving = await harness.createUser('leaving');
    const page = await harness.signedInPage(leaving, '/sites');
    await page.getByText('You have no sites yet.').waitFor();
    expect((await harness.stack.api('PATCH', `/api/users/${leaving.id}`, { disabled: true })).status).toBe(200);
    await page.getByRole('heading', { name: 'Sign in to Dais' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
  });

  it('works at 360 px wide with visible keyboard focus, and another user cannot open the site', async () => {
    const { page } = await harness.newPage({ width: 360, height: 740 });
    await harness.signIn(page, owner, '/sites');
    await page.locator('.site-row').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await harness.screenshot(page, 'sites-mobile');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const focused = document.activeElement as HTMLElement | null;
      return focused ? getComputedStyle(focused).outlineStyle : 'none';
    });
    expect(outline).not.toBe('none');

    const journal = (await harness.stack.api<{ sites: SiteView[] }>('GET', '/api/sites?search=journal')).json.sites[0];
    const stranger = await harness.createUser('stranger');
    const strangerPage = await harness.signedInPage(stranger, `/sites/${journal?.id}`);
    await strangerPage.getByRole('heading', { name: 'Site not found' }).waitFor();
    expect(await strangerPage.locator('.site-header').count()).toBe(0);
  });
});
