import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import type { FastifyReply } from 'fastify';
import { Public } from '../features/auth/auth.guard';

/** The Swagger UI files served, with their content types: nothing else of the package is reachable. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

const BASE = '/api/docs';

/** The page: Swagger UI from this manager's own files (no CDN), reading this manager's API description. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Dais API</title>
    <link rel="stylesheet" href="${BASE}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${BASE}/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="${BASE}/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${BASE}/swagger-ui-bundle.js"></script>
    <script src="${BASE}/swagger-ui-standalone-preset.js"></script>
    <script src="${BASE}/dais-initializer.js"></script>
  </body>
</html>
`;

/** Starts Swagger UI on `/api/openapi.json` (a file, not inline, so a strict CSP can forbid inline scripts). */
const INITIALIZER_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
});
`;

/** The installed swagger-ui-dist package's folder (its files are served as they are). */
function swaggerUiDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** `GET /api/docs`: the interactive API documentation. Public, like the description it shows. */
@Controller(BASE.slice(1))
export class DocsController {
  private readonly cache = new Map<string, Promise<Buffer>>();

  @Public()
  @Get()
  index(@Res() reply: FastifyReply): Promise<void> {
    return send(reply, 'text/html; charset=utf-8', INDEX_HTML, 'no-cache');
  }

  @Public()
  @Get(':file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    if (file === '') return this.index(reply);
    if (file === 'dais-initializer.js') return send(reply, 'text/javascript; charset=utf-8', INITIALIZER_JS, 'no-cache');
    const contentType = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!contentType) throw new DaisError('NOT_FOUND', `There is no ${BASE}/${file}.`);
    return send(reply, contentType, await this.read(file), 'public, max-age=3600');
  }

  /** Reads a file of the package once; the bundle is large, so it is kept after the first request. */
  private read(file: string): Promise<Buffer> {
    let content = this.cache.get(file);
    if (!content) {
      content = readFile(join(swaggerUiDir(), file));
      void content.catch(() => this.cache.delete(file));
      this.cache.set(file, content);
    }
    return content;
  }
}

async function send(reply: FastifyReply, contentType: string, body: string | Buffer, cacheControl: string): Promise<void> {
  await reply
    .header('content-type', contentType)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .send(body);
}
