import { describe, expect, it } from 'vitest';
import { fakeReply } from '../testing/http/fake-http';
import { refusalOf } from '../testing/http/refusal';
import { DocsController } from './docs.controller';

describe('DocsController', () => {
  it('serves the page that loads Swagger UI from this manager, revalidated', async () => {
    const { reply, recorded } = fakeReply();
    await new DocsController().index(reply);
    expect(String(recorded.body)).toContain('<script src="/api/docs/dais-initializer.js"></script>');
    expect(recorded.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
  });

  it('serves the initializer pointing at this manager’s API description', async () => {
    const { reply, recorded } = fakeReply();
    await new DocsController().asset('dais-initializer.js', reply);
    expect(String(recorded.body)).toContain("url: '/api/openapi.json'");
  });

  it('serves a listed file of the Swagger UI package with its type, cached an hour', async () => {
    const { reply, recorded } = fakeReply();
    await new DocsController().asset('swagger-ui.css', reply);
    expect(Buffer.isBuffer(recorded.body)).toBe(true);
    expect(recorded.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' });
  });

  it.each([
    'package.json',
    '../package.json',
    '..%2Fpackage.json',
    'index.html',
    'constructor',
    '__proto__',
    'toString',
    'swagger-ui.css\u0000',
  ])('answers NOT_FOUND for %j: nothing else of the package is reachable', async (file) => {
    expect((await refusalOf(() => new DocsController().asset(file, fakeReply().reply))).code).toBe('NOT_FOUND');
  });
});
