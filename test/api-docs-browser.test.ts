import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium';
import { TestStack } from './support/stack';

describe('interactive API docs in a real browser', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([TestStack.start('api-docs'), launchChromium()]);
  });

  afterAll(async () => {
    await browser.close();
    await stack.stop();
  });

  it('renders every operation of the OpenAPI document, grouped, without a script error', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${stack.ports.manager}/api/docs`);
    await page.waitForSelector('.opblock');
    const document = (await stack.api<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json')).json;
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item).filter((key) => key !== 'parameters'));
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    expect(await page.locator('.opblock-tag').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('accounts'),
        expect.stringContaining('sites'),
        expect.stringContaining('shell-server'),
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('"Try it out" with a token calls the real API from the page', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${stack.ports.manager}/api/docs`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.auth-container input[type=text], .auth-container input[type=password]').first().fill(stack.adminToken);
    await page.locator('.auth-container').first().locator('button.authorize').click();
    await page.locator('.auth-btn-wrapper button.btn-done').first().click();
    const operation = page.locator('#operations-sites-get_api_sites');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const answered = page.waitForResponse((response) => response.url().includes('/api/sites') && response.request().method() === 'GET');
    await operation.getByRole('button', { name: 'Execute' }).click();
    expect((await answered).status()).toBe(200);
    await expect.poll(() => operation.locator('.response .response-col_status').first().textContent()).toContain('200');
  });
});
