import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import type { FastifyReply } from 'fastify';
import { Public } from '../../features/auth/auth.guard';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { IMMUTABLE, REVALIDATE, withWebAppHeaders } from './web-app-headers';
import { WebFiles } from './web-files';

/**
 * The dashboard's client-side routes: each answers index.html and the app's router takes over.
 * Only these prefixes, so `/api`, `/socket.io`, `/health`… stay exactly what they were.
 */
export const CLIENT_ROUTES = ['', 'sign-in', 'sites', 'sites/*', 'account', 'account/*', 'admin', 'admin/*'];

/** Every route of this controller as the route table names them (files, not API operations: tests leave them out). */
export const WEB_APP_ROUTES: readonly string[] = [...CLIENT_ROUTES.map((route) => `GET /${route}`), 'GET /assets/{file}'];

/** Answered when index.html is missing: a plain page telling the operator what to do. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Dais: dashboard not built</title></head>
  <body>
    <h1>The dashboard is not built</h1>
    <p>The API works, but this manager has no built dashboard to show. Run <code>npm run build</code> (or <code>npm run setup</code>), then reload this page.</p>
  </body>
</html>
`;

/** The web dashboard (a single-page app built by Vite): public files, as the sign-in page must load before anyone signs in. */
@Public()
@Controller()
export class WebAppController {
  private readonly files: WebFiles;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.files = new WebFiles(config.web.root);
  }

  @Get(CLIENT_ROUTES)
  async index(@Res() reply: FastifyReply): Promise<void> {
    const index = await this.files.index();
    await withWebAppHeaders(reply)
      .status(index === null ? 503 : 200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', REVALIDATE)
      .send(index ?? NOT_BUILT_PAGE);
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    withWebAppHeaders(reply);
    const asset = await this.files.asset(file);
    if (asset === null) throw new DaisError('NOT_FOUND', 'There is no such dashboard file.');
    await reply.header('content-type', asset.contentType).header('cache-control', IMMUTABLE).send(asset.content);
  }
}
