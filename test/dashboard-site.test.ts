import type { BrowserContext, Page } from 'playwright-core';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addVerifiedDomain } from './support/domains';
import { DashboardHarness, untilSettled, watchPageErrors } from './support/dashboard';
import { signedFetch } from './support/signed-fetch';

/** A run.sh that prints a screenful, then ordinary, hostile and stderr lines, then serves public/ on $PORT. */
const LOGGING_RUN_SH = [
  '#!/bin/sh',
  'i=1; while [ $i -le 150 ]; do echo "dais-filler-$i"; i=$((i + 1)); done',
  'for i in 1 2 3; do echo "dais-log-line-$i"; done',
  "echo '<script>alert(1)</script>'",
  'echo "dais-warning-line" >&2',
  'exec httpd -f -p "$PORT" -h /site/public',
  '',
].join('\n');

const LONG = 180_000;

// Each test arranges what it needs: a signed-in window of its own (closed after it, its page errors
// judged) and a site of its own, made and waited for through the API; so the tests pass in any order
// (`--sequence.shuffle`). Only the stack, the browser and the admin account are shared.
describe('the site pages of the dashboard: overview with live operations, terminal, logs', () => {
  let harness: DashboardHarness;
  let ada: { username: string; password: string };
  /** The window of the running test, and what broke in it. */
  let openWindow: { context: BrowserContext; problems: string[] } | null = null;

  const overview = (page: Page, site: SiteView) => page.goto(`/sites/${site.id}`);
  const operationCard = (page: Page) => page.locator('section.operation');
  const finished = (id: number) => harness.stack.waitForOperation<OperationView>(id, undefined, LONG);
  /** Freezes the orchestrator so the operation's current step stays running while we look at it. */
  async function withFrozenOrchestrator<T>(body: () => Promise<T>): Promise<T> {
    harness.stack.signal('orchestrator', 'SIGSTOP');
    try {
      return await body();
    } finally {
      harness.stack.signal('orchestrator', 'SIGCONT');
    }
  }

  /** A window of the test's own, signed in as ada. */
  async function signedInPage(): Promise<Page> {
    const page = await harness.signedInPage(ada);
    openWindow = { context: page.context(), problems: watchPageErrors(page) };
    return page;
  }

  /** A dynamic site of the test's own, created through the API: its operation done, its program running. */
  async function runningSite(name: string): Promise<SiteView> {
    const created = await harness.stack.api<SiteView>('POST', '/api/sites', { name, type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    expect((await finished(created.json.operation?.id ?? 0)).state).toBe('succeeded');
    const runState = async () => (await harness.stack.api<{ state: string }>('GET', `/api/sites/${created.json.id}/status`)).json.state;
    await expect.poll(runState, { timeout: LONG }).toBe('running');
    return created.json;
  }

  /**
   * Opens the overview and waits until it has drawn what it loads from the orchestrator (the site
   * running, no operation under way): freezing the orchestrator before that would leave the page
   * waiting on an answer that comes after the test has looked.
   */
  async function settledOverview(page: Page, site: SiteView): Promise<void> {
    await overview(page, site);
    await page.locator('[data-run-state="running"]').waitFor({ timeout: LONG });
    await page.locator('section.operation[data-operation-state="succeeded"]').waitFor({ timeout: LONG });
    await untilSettled(page);
  }

  beforeAll(async () => {
    harness = await DashboardHarness.start('dashboard-site');
    ada = await harness.createUser('ada', { role: 'admin' });
  }, LONG);

  afterEach(async () => {
    const ended = openWindow;
    openWindow = null;
    if (!ended) return;
    // Judged before closing: a page torn down mid-stream is not a page that broke.
    const problems = [...ended.problems];
    await ended.context.close();
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await harness.stop();
  });

  it(
    "shows a new site's operation progressing live, step by step, until it succeeds",
    async () => {
      const page = await signedInPage();
      const site = await withFrozenOrchestrator(async () => {
        const created = await harness.stack.api<SiteView>('POST', '/api/sites', { name: 'shown', type: 'dynamic', image: 'busybox' });
        expect(created.status, JSON.stringify(created.json)).toBe(202);
        await overview(page, created.json);
        await page.getByRole('heading', { name: 'Create the site' }).waitFor();
        const current = operationCard(page).locator('li[aria-current="step"]');
        await current.waitFor({ timeout: 30_000 });
        expect(await current.getAttribute('data-step-state')).toMatch(/running|retrying/);
        // The elapsed time counts up while the step runs.
        const before = await operationCard(page).getByLabel('Total time').textContent();
        await expect.poll(() => operationCard(page).getByLabel('Total time').textContent(), { timeout: 10_000 }).not.toBe(before);
        return created.json;
      });
      await page.locator('section.operation[data-operation-state="succeeded"]').waitFor({ timeout: LONG });
      const states = await operationCard(page)
        .locator('li[data-step-state]')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-step-state')));
      expect(states.length).toBeGreaterThan(1);
      expect(new Set(states)).toEqual(new Set(['succeeded']));
      await page.locator('[data-run-state="running"]').waitFor({ timeout: LONG });
      await page.getByRole('link', { name: site.url }).first().waitFor();
      await harness.screenshot(page, 'site-overview');
    },
    LONG * 2,
  );

  it(
    'restarts from the overview, showing the new operation at once and its progress live',
    async () => {
      const site = await runningSite('restarted');
      const page = await signedInPage();
      await settledOverview(page, site);
      await withFrozenOrchestrator(async () => {
        await page.getByRole('button', { name: 'Restart', exact: true }).click();
        await page.getByRole('heading', { name: 'Restart the site' }).waitFor({ timeout: 10_000 });
        expect(await operationCard(page).getAttribute('data-operation-state')).toMatch(/pending|running/);
      });
      await page.locator('section.operation[data-operation-state="succeeded"]').waitFor({ timeout: LONG });
      await page.locator('[data-run-state="running"]').waitFor({ timeout: LONG });
    },
    LONG,
  );

  it(
    'opens a shell in the site: typed commands run, their output shows, and a new session follows an exit',
    async () => {
      const site = await runningSite('shelled');
      const page = await signedInPage();
      await page.goto(`/sites/${site.id}/terminal`);
      await page.locator('[data-session="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('.terminal-screen').click();
      await page.keyboard.type('echo dais-$((6*7))');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent.includes('dais-42'), undefined, {
        timeout: 30_000,
      });
      await harness.screenshot(page, 'terminal');
      await page.keyboard.type('exit 3');
      await page.keyboard.press('Enter');
      await page.getByText('The shell exited with code 3.').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'New session' }).click();
      await page.locator('[data-session="ready"]').waitFor({ timeout: 60_000 });
    },
    LONG,
  );

  it(
    'streams the logs live, lines as text (markup shows literally) and stderr marked',
    async () => {
      const site = await runningSite('logged');
      // Its program prints the lines to look for: a run.sh written through the files API, then a restart.
      const written = await harness.stack.api('POST', `/api/sites/${site.id}/files/write`, { path: 'run.sh', content: LOGGING_RUN_SH });
      expect(written.status, JSON.stringify(written.json)).toBe(200);
      const executable = await harness.stack.api('POST', `/api/sites/${site.id}/files/chmod`, { path: 'run.sh', mode: '755' });
      expect(executable.status, JSON.stringify(executable.json)).toBe(200);
      const restarted = await harness.stack.api<OperationView>('POST', `/api/sites/${site.id}/restart`);
      expect(restarted.status, JSON.stringify(restarted.json)).toBe(202);
      expect((await finished(restarted.json.id)).state).toBe('succeeded');

      const page = await signedInPage();
      await page.goto(`/sites/${site.id}/logs`);
      await page.locator('.log-line', { hasText: 'dais-log-line-3' }).first().waitFor({ timeout: 60_000 });
      const hostile = page.locator('.log-line', { hasText: '<script>alert(1)</script>' });
      expect(await hostile.count()).toBeGreaterThan(0);
      expect(await page.locator('.log-viewport script').count()).toBe(0);
      await page.locator('.log-stderr', { hasText: 'dais-warning-line' }).first().waitFor({ timeout: 30_000 });
      await harness.screenshot(page, 'logs');

      // Scrolling up stops following the latest line until asked.
      const viewport = page.getByRole('log', { name: 'Site logs' });
      await viewport.evaluate((box) => box.scrollTo({ top: 0 }));
      await page.getByRole('button', { name: /Jump to latest/ }).click();
      await page.getByRole('button', { name: /Jump to latest/ }).waitFor({ state: 'detached' });
      expect(await viewport.evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight)).toBeLessThan(32);
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText('Paused: new lines are collected').waitFor();
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByText('0 lines').waitFor();
    },
    LONG,
  );

  it(
    "shows a failed operation's error and what to do, and Retry resumes it to success",
    async () => {
      const site = await runningSite('failing');
      const router = { url: `http://127.0.0.1:${harness.stack.ports.router}`, signer: harness.stack.signer('manager', 'router') };
      const held = await signedFetch(router.url, router.signer, 'PUT', '/v1/routes/999990', {
        body: { siteId: 999990, hostnames: ['held.example.com'] },
      });
      expect(held.status).toBe(200);
      const added = await addVerifiedDomain(harness.stack, site.id, 'held.example.com');
      expect((await finished(added.operation.id)).state).toBe('failed');

      const page = await signedInPage();
      await overview(page, site);
      await page.locator('section.operation[data-operation-state="failed"]').waitFor({ timeout: 30_000 });
      await page.getByText('held.example.com already belongs to site 999990').first().waitFor();
      await page
        .getByText(/retry the operation/i)
        .first()
        .waitFor();
      expect((await signedFetch(router.url, router.signer, 'DELETE', '/v1/routes/999990')).status).toBe(200);
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.locator('section.operation[data-operation-state="succeeded"]').waitFor({ timeout: LONG });
    },
    LONG,
  );

  it(
    'works at 360 px wide without sideways scrolling',
    async () => {
      const site = await runningSite('narrow');
      const page = await signedInPage();
      await page.setViewportSize({ width: 360, height: 740 });
      for (const path of ['', '/terminal', '/logs']) {
        await page.goto(`/sites/${site.id}${path}`);
        await page.locator('.tabs').waitFor();
        await untilSettled(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, path || 'overview').toBeLessThanOrEqual(360);
      }
    },
    LONG,
  );

  it(
    'deletes the site once its exact name is typed; meanwhile other actions say another operation is running',
    async () => {
      const site = await runningSite('doomed');
      const page = await signedInPage();
      await settledOverview(page, site);
      await withFrozenOrchestrator(async () => {
        await page.getByRole('button', { name: 'Delete site' }).click();
        const dialog = page.getByRole('dialog');
        const confirm = dialog.getByRole('button', { name: 'Delete site' });
        expect(await confirm.isDisabled()).toBe(true);
        await dialog.getByLabel(/Type the site's name/).fill('doomed');
        await confirm.click();
        await page.waitForURL(/\/sites$/, { timeout: 30_000 });
        // The site is still being deleted (the orchestrator is frozen): a restart is refused as busy.
        await overview(page, site);
        await page.getByRole('button', { name: 'Restart', exact: true }).click();
        await page.getByText('Another operation is running on this site').waitFor({ timeout: 10_000 });
      });
      await expect.poll(async () => (await harness.stack.api('GET', `/api/sites/${site.id}`)).status, { timeout: LONG }).toBe(404);
    },
    LONG,
  );
});
