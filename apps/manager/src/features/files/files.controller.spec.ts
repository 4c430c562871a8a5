import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { fakeReply, fakeRequest } from '../../testing/http/fake-http';
import { bodyTable, expectPathIdChecked, outcomeOf } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER } from '../../testing/http/users';
import { FilesController } from './files.controller';
import type { FilesService } from './files.service';

const SITE = { id: '7' };
const RESULT = { path: '/public/a.txt' };
const controllerWith = (arranged: Partial<FilesService>) => new FilesController(strictFake<FilesService>('FilesService', arranged));

/** Paths the manager refuses itself; confinement to the site folder is the orchestrator's (docs/files.md). */
const UNBOUNDED_PATHS = ['a\u0000b', 'x'.repeat(4_097), '/public/\uD800'];

describe('FilesController', () => {
  describe.each(['list', 'stat'] as const)('%s', (route) => {
    it('passes the site id and the path of the query (the site’s root when there is none)', async () => {
      const call = vi.fn().mockResolvedValue(RESULT);
      const controller = controllerWith({ [route]: call });
      expect(await controller[route](MEMBER, SITE, { path: '/public' })).toBe(RESULT);
      expect(call).toHaveBeenLastCalledWith(MEMBER, 7, '/public');
      await controller[route](MEMBER, SITE, {});
      expect(call).toHaveBeenLastCalledWith(MEMBER, 7, '/');
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }, {}), call);
      for (const path of UNBOUNDED_PATHS)
        expect(await outcomeOf(() => controller[route](MEMBER, SITE, { path }), call)).toBe('VALIDATION_FAILED');
      expect(await outcomeOf(() => controller[route](MEMBER, SITE, { path: '/', extra: '1' }), call)).toBe('VALIDATION_FAILED');
    });
  });

  describe.each([
    [
      'download',
      'content',
      'a b.txt',
      'text/html',
      'application/octet-stream',
      'attachment; filename="a_b.txt"; filename*=UTF-8\'\'a%20b.txt',
    ],
    [
      'archive',
      'archive',
      'public',
      'application/zip',
      'application/zip',
      'attachment; filename="public.zip"; filename*=UTF-8\'\'public.zip',
    ],
  ] as const)('%s', (route, kind, name, served, contentType, disposition) => {
    it('sends the file as an attachment of an opaque type, never inline', async () => {
      const body = Readable.from(['x']);
      const download = vi.fn().mockResolvedValue({ body, contentType: served, length: kind === 'content' ? 1 : null });
      const { reply, recorded } = fakeReply();
      await controllerWith({ download })[route](MEMBER, SITE, { path: `/public/${name}` }, reply);
      expect(download).toHaveBeenCalledWith(MEMBER, 7, kind, `/public/${name}`);
      expect(recorded.body).toBe(body);
      expect(recorded.headers).toMatchObject({
        'content-type': contentType,
        'content-disposition': disposition,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      expect(recorded.headers['content-length']).toBe(kind === 'content' ? 1 : undefined);
    });
  });

  describe.each(['upload', 'uploadForm'] as const)('%s', (route) => {
    it('hands the service the parsed query and the request’s body, announced size and type', async () => {
      const call = vi.fn().mockResolvedValue(RESULT);
      const { request } = fakeRequest({ body: 'stream', headers: { 'content-length': '5', 'content-type': 'application/octet-stream' } });
      expect(
        await controllerWith({ [route]: call })[route](
          MEMBER,
          SITE,
          { path: '/public/a.txt', overwrite: 'false' },
          request,
          fakeReply().reply,
        ),
      ).toBe(RESULT);
      expect(call).toHaveBeenCalledWith(
        MEMBER,
        7,
        { path: '/public/a.txt', overwrite: false },
        { body: 'stream', announcedBytes: 5, contentType: 'application/octet-stream' },
      );
    });

    it('checks the query before the upload reaches the service', async () => {
      const call = vi.fn().mockResolvedValue(RESULT);
      const controller = controllerWith({ [route]: call });
      const send = (query: unknown) => controller[route](MEMBER, SITE, query, fakeRequest().request, fakeReply().reply);
      for (const query of [
        {},
        { path: '/a', overwrite: 'yes' },
        { path: '/a', overwrite: ['true', 'false'] },
        { path: 'a\u0000' },
        { path: '/a', other: '1' },
      ])
        expect(await outcomeOf(() => send(query), call)).not.toBe('accepted');
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }, { path: '/a' }, fakeRequest().request, fakeReply().reply), call);
    });

    it('refused before the body ended: discards the rest and closes the connection, so the client reads the answer', async () => {
      const { request, resumed } = fakeRequest({ complete: false });
      const { reply, recorded } = fakeReply();
      const call = vi.fn();
      expect((await refusalOf(() => controllerWith({ [route]: call })[route](MEMBER, SITE, {}, request, reply))).code).toBe(
        'VALIDATION_FAILED',
      );
      expect(call).not.toHaveBeenCalled();
      expect(resumed()).toBe(true);
      expect(recorded.headers.connection).toBe('close');
    });

    it('refused after the body ended: leaves the connection alone', async () => {
      const { request, resumed } = fakeRequest({ complete: true });
      const { reply, recorded } = fakeReply();
      await refusalOf(() => controllerWith({ [route]: vi.fn() })[route](MEMBER, SITE, {}, request, reply));
      expect(resumed()).toBe(false);
      expect(recorded.headers.connection).toBeUndefined();
    });
  });

  describe.each([
    [
      'write',
      'write',
      { path: 'public/a.txt', content: 'hello', encoding: 'utf8', overwrite: true },
      { path: 'public/a.txt', content: 'hello', encoding: 'utf8', overwrite: true },
    ],
    ['mkdir', 'mkdir', { path: 'public/dir' }, 'public/dir'],
    [
      'rename',
      'rename',
      { from: 'public/a.txt', to: 'public/b.txt', overwrite: false },
      { from: 'public/a.txt', to: 'public/b.txt', overwrite: false },
    ],
    [
      'remove',
      'remove',
      { path: 'public/dir', recursive: true, confirm: 'public/dir' },
      expect.objectContaining({ path: 'public/dir', recursive: true }),
    ],
    ['chmod', 'chmod', { path: 'public/a.txt', mode: '640' }, expect.objectContaining({ path: 'public/a.txt' })],
  ] as const)('%s', (route, method, valid, passed) => {
    it(`calls ${method} with the site id and the checked body`, async () => {
      const call = vi.fn().mockResolvedValue(RESULT);
      const controller = controllerWith({ [method]: call });
      expect(await controller[route](MEMBER, SITE, valid)).toBe(RESULT);
      expect(call).toHaveBeenCalledWith(MEMBER, 7, passed);
      expect(await bodyTable(valid, (body) => controller[route](MEMBER, SITE, body), call)).toMatchSnapshot();
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }, valid), call);
    });
  });
});
