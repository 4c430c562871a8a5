import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { UserView } from '@dais/shared';
import { launchChromium } from './chromium';
import { REPO_ROOT } from './dev-env';
import { TestStack, type StackOptions } from './stack';

/**
 * Where screenshots go: the README's folder when asked (`DAIS_UPDATE_SCREENSHOTS=1`, see
 * docs/development.md), else a scratch folder in the checkout's ignored state folder: an ordinary test
 * run leaves the tracked files unchanged, and the last run's screenshots stay there to look at (not in
 * the run's temp folder, which is removed at the end of the run).
 */
export const SCREENSHOTS_DIR =
  process.env.DAIS_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs/screenshots') : join(REPO_ROOT, '.dais/test-screenshots');

/**
 * The dashboard on a real stack in the machine's Chromium: the manager serves the built SPA
 * (apps/manager/web/dist, built by `npm run build` before tests) at its root.
 */
export class DashboardHarness {
  private constructor(
    readonly stack: TestStack,
    readonly browser: Browser,
  ) {}

  static async start(label: string, options: StackOptions = {}): Promise<DashboardHarness> {
    const [stack, browser] = await Promise.all([TestStack.start(label, options), launchChromium()]);
    return new DashboardHarness(stack, browser);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.stack.ports.manager}`;
  }

  /** A user account (role `user` unless asked), made through the admin API. */
  async createUser(
    username: string,
    options: { role?: 'admin' | 'user'; password?: string; email?: string } = {},
  ): Promise<{ username: string; password: string; id: number }> {
    const password = options.password ?? `${username} long password 1`;
    const created = await this.stack.api<UserView>('POST', '/api/users', {
      username,
      password,
      role: options.role ?? 'user',
      ...(options.email ? { email: options.email } : {}),
    });
    if (created.status !== 201) throw new Error(`creating ${username}: ${created.status} ${JSON.stringify(created.json)}`);
    return { username, password, id: created.json.id };
  }

  /** A fresh browser window (own cookies), sized like a desktop unless told otherwise. */
  async newPage(
    viewport: { width: number; height: number } = { width: 1280, height: 860 },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ viewport, baseURL: this.baseUrl });
    const page = await context.newPage();
    return { context, page };
  }

  /** Signs in through the sign-in page, as a person does, and waits for the site list. */
  async signIn(page: Page, user: { username: string; password: string }, path = '/sites'): Promise<void> {
    await page.goto(path);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** A page already signed in as this user (new context). */
  async signedInPage(user: { username: string; password: string }, path = '/sites'): Promise<Page> {
    const { page } = await this.newPage();
    await this.signIn(page, user, path);
    return page;
  }

  /** Saves a screenshot of what the page shows now (for the docs: see SCREENSHOTS_DIR). */
  async screenshot(page: Page, name: string): Promise<void> {
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.browser.close(), this.stack.stop()]);
  }
}

/**
 * Collects what would tell us the page broke: uncaught errors and console errors. Tests assert it
 * stays empty, so a screen that throws in the browser fails its test even if it looks fine.
 * (Chromium logs every 4xx answer as "Failed to load resource"; refusals are expected in tests.)
 */
export function watchPageErrors(page: Page, ignore: readonly RegExp[] = [/Failed to load resource/]): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!ignore.some((pattern) => pattern.test(text))) problems.push(`console: ${text}`);
  });
  return problems;
}

/**
 * Waits until a screen has drawn what it loads: no "Loading …" block left (ui/Spinner.tsx) and the
 * fonts in. A layout measured before that (a width, an overflow) would measure a half-drawn page.
 */
export async function untilSettled(page: Page): Promise<void> {
  await page.locator('p.loading').first().waitFor({ state: 'detached' });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}
