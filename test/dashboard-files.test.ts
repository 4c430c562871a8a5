import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationView, SiteView } from '@dais/shared';
import { DashboardHarness, watchPageErrors } from './support/dashboard';

/** Small enough that an over-limit file is quick to make, large enough for a real upload. */
const UPLOAD_LIMIT = 3_000_000;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>.html';

type Listing = { entries: { name: string; type: string }[] };

describe('dashboard: a site member edits, uploads and manages the site files', () => {
  let harness: DashboardHarness;
  let site: SiteView;
  let page: Page;
  let problems: string[];
  const dialogs: string[] = [];
  const uploadRequests: string[] = [];

  const filesApi = (route: string, body?: unknown) =>
    harness.stack.api<Listing>(body === undefined ? 'GET' : 'POST', `/api/sites/${site.id}/files${route}`, body);
  const namesIn = async (folder: string): Promise<string[]> =>
    (await filesApi(`?path=${encodeURIComponent(folder)}`)).json.entries.map((entry) => entry.name);
  const treeEntry = (name: string) => page.locator('.file-tree').getByRole('button', { name, exact: true });
  const dialog = () => page.getByRole('dialog');

  beforeAll(async () => {
    harness = await DashboardHarness.start('dashboard-files', { env: { DAIS_FILES_UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) } });
    site = await harness.stack.createSite('filesui');
    expect((await harness.stack.waitForOperation<OperationView>(site.operation?.id ?? 0)).state).toBe('succeeded');
    const fern = await harness.createUser('fern');
    expect((await harness.stack.api('POST', `/api/sites/${site.id}/members`, { username: 'fern' })).status).toBe(201);
    const hostile = await filesApi('/write', { path: `/public/${HOSTILE_NAME}`, content: '<script>alert(2)</script>' });
    expect(hostile.status, JSON.stringify(hostile.json)).toBe(200);

    page = await harness.signedInPage(fern, `/sites/${site.id}/files`);
    problems = watchPageErrors(page);
    page.on('dialog', (opened) => {
      dialogs.push(opened.message());
      void opened.dismiss();
    });
    page.on('request', (request) => {
      if (request.url().includes('/files/upload')) uploadRequests.push(request.url());
    });
  }, 180_000);

  afterAll(async () => {
    await harness.stop();
  });

  it('opens public/index.html in CodeMirror, saves with Ctrl-S, and the router serves the change', async () => {
    await treeEntry('index.html').click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toContain('filesui is ready');
    await harness.screenshot(page, 'editor');

    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Edited in the dashboard 7');
    await page.getByTestId('unsaved-marker').waitFor();
    await page.keyboard.press('Control+s');
    await page.getByTestId('unsaved-marker').waitFor({ state: 'detached', timeout: 15_000 });

    const served = await harness.stack.visit('filesui.dais.localhost');
    expect(served.status).toBe(200);
    expect(served.body).toContain('Edited in the dashboard 7');
  });

  it('uploads with the file picker and by drag and drop, with a progress bar per file', async () => {
    const content = Buffer.alloc(1_000_000, 'a');
    await page.getByTestId('upload-input').setInputFiles({ name: 'picked.txt', mimeType: 'text/plain', buffer: content });
    const picked = page.locator('.upload-row', { hasText: 'picked.txt' });
    await expect.poll(() => picked.getAttribute('data-upload-state'), { timeout: 20_000 }).toBe('done');
    expect(await picked.locator('progress').getAttribute('value')).toBe(String(content.length));

    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    });
    await page.getByTestId('upload-drop').dispatchEvent('dragover', { dataTransfer: dropped });
    await page.getByTestId('upload-drop').dispatchEvent('drop', { dataTransfer: dropped });
    const droppedRow = page.locator('.upload-row', { hasText: 'dropped.txt' });
    await expect.poll(() => droppedRow.getAttribute('data-upload-state'), { timeout: 20_000 }).toBe('done');

    await treeEntry('dropped.txt').waitFor();
    expect(await namesIn('/public')).toEqual(expect.arrayContaining(['picked.txt', 'dropped.txt']));
  });

  it('refuses a file over the upload limit before sending anything, naming the limit', async () => {
    const before = uploadRequests.length;
    // A small file picked after it: the queue sends one file at a time in order, so once the small
    // one is stored, a request for the large one would already have been seen.
    await page.getByTestId('upload-input').setInputFiles([
      { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(UPLOAD_LIMIT + 1) },
      { name: 'after-huge.txt', mimeType: 'text/plain', buffer: Buffer.from('small') },
    ]);
    const huge = page.locator('.upload-row', { hasText: 'huge.bin' });
    await expect.poll(() => huge.getAttribute('data-upload-state')).toBe('refused');
    expect(await huge.innerText()).toMatch(/upload limit is 2\.9 MB/);
    const small = page.locator('.upload-row', { hasText: 'after-huge.txt' });
    await expect.poll(() => small.getAttribute('data-upload-state'), { timeout: 20_000 }).toBe('done');
    expect(uploadRequests.length).toBe(before + 1);
    const names = await namesIn('/public');
    expect(names).toContain('after-huge.txt');
    expect(names).not.toContain('huge.bin');
  });

  it('makes a new folder and a new file in it', async () => {
    await page.getByRole('button', { name: 'New folder' }).click();
    await dialog().getByLabel('Name').fill('assets');
    await dialog().getByRole('button', { name: 'Create folder' }).click();
    await treeEntry('assets').waitFor();
    // The new folder is selected: the next file goes into it.
    await page.getByRole('button', { name: 'New file' }).click();
    await dialog().getByLabel('Name').fill('app.js');
    await dialog().getByRole('button', { name: 'Create file' }).click();
    await treeEntry('app.js').waitFor();
    await page.locator('.editor-path', { hasText: '/public/assets/app.js' }).waitFor();
    expect(await namesIn('/public/assets')).toEqual(['app.js']);
  });

  it('renames a file, and deletes a folder with its content after confirming', async () => {
    await treeEntry('dropped.txt').click();
    await page.getByRole('group', { name: 'Selected: /public/dropped.txt' }).getByRole('button', { name: 'Rename' }).click();
    await dialog().getByLabel('Name').fill('renamed.txt');
    await dialog().getByRole('button', { name: 'Rename' }).click();
    await treeEntry('renamed.txt').waitFor();
    await treeEntry('dropped.txt').waitFor({ state: 'detached' });

    await treeEntry('assets').click();
    await page.getByRole('group', { name: 'Selected: /public/assets' }).getByRole('button', { name: 'Delete' }).click();
    expect(await dialog().innerText()).toContain('everything in it');
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await treeEntry('assets').waitFor({ state: 'detached' });
    const names = await namesIn('/public');
    expect(names).toContain('renamed.txt');
    expect(names).not.toContain('assets');
    expect(names).not.toContain('dropped.txt');
  });

  it('shows files written from outside without a reload, and reloads the open file when it has no edits', async () => {
    expect((await filesApi('/write', { path: '/public/live.txt', content: 'from outside' })).status).toBe(200);
    await treeEntry('live.txt').waitFor({ timeout: 15_000 });

    await treeEntry('index.html').click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toContain('Edited in the dashboard 7');
    expect((await filesApi('/write', { path: '/public/index.html', content: 'Rewritten by a script' })).status).toBe(200);
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toContain('Rewritten by a script');
  });

  it('keeps unsaved edits when the file changes on disk, and says so', async () => {
    await treeEntry('renamed.txt').click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toContain('dropped text');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' and mine');
    await page.getByTestId('unsaved-marker').waitFor();
    expect((await filesApi('/write', { path: '/public/renamed.txt', content: 'theirs' })).status).toBe(200);
    await page.getByText('This file was changed on disk').waitFor({ timeout: 15_000 });
    expect(await page.locator('.cm-content').innerText()).toContain('dropped text and mine');
    await page.getByRole('button', { name: 'Reload from disk (drop my changes)' }).click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toBe('theirs');
    await page.getByTestId('unsaved-marker').waitFor({ state: 'detached' });

    // Leaving a file with edits asks first.
    await page.locator('.cm-content').click();
    await page.keyboard.type(' again');
    await page.getByTestId('unsaved-marker').waitFor();
    await treeEntry('live.txt').click();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('.cm-content').innerText()).toContain('again');
    await treeEntry('live.txt').click();
    await dialog().getByRole('button', { name: 'Discard and open' }).click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 }).toBe('from outside');
  });

  it('refuses to open a binary file in the editor and offers the download', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]).toString('base64');
    expect((await filesApi('/write', { path: '/public/logo.png', content: png, encoding: 'base64' })).status).toBe(200);
    await treeEntry('logo.png').click();
    await page.getByText('This looks like a binary file; download it instead.').waitFor({ timeout: 15_000 });
    const download = page.locator('.editor-panel').getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('href')).toBe(`/api/sites/${site.id}/files/content?path=%2Fpublic%2Flogo.png`);
  });

  it('renders a hostile file name literally and runs nothing', async () => {
    await treeEntry(HOSTILE_NAME).waitFor();
    expect(await page.locator('.file-tree img').count()).toBe(0);
    await treeEntry(HOSTILE_NAME).click();
    await page.locator('.editor-path', { hasText: HOSTILE_NAME }).waitFor();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('<script>alert(2)</script>');
    expect(await page.locator('.editor-panel img, .editor-panel script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('puts the tree above the editor at 360 px, and the page broke nowhere', async () => {
    const small = await harness.newPage({ width: 360, height: 740 });
    const smallProblems = watchPageErrors(small.page);
    await harness.signIn(small.page, { username: 'fern', password: 'fern long password 1' }, `/sites/${site.id}/files`);
    await small.page.locator('.file-tree').getByRole('button', { name: 'index.html', exact: true }).click();
    await small.page.locator('.cm-content').waitFor();
    const tree = await small.page.locator('.file-tree').boundingBox();
    const editor = await small.page.locator('.editor-panel').boundingBox();
    expect(tree && editor && tree.y + tree.height <= editor.y).toBe(true);
    expect(editor && editor.x + editor.width <= 360).toBe(true);
    await small.context.close();
    expect(smallProblems).toEqual([]);
    expect(problems).toEqual([]);
  });
});
