import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ApiModule } from '../../api.module';
import { WEB_APP_ROUTES } from '../web-app/web-app.controller';
import { routesOf } from '../route-table';
import { buildOpenApiDocument } from './openapi-document';

/** Served files (the docs' and the dashboard's), not API operations. */
const NOT_DOCUMENTED = new Set(['GET /healthz', 'GET /api/docs/{file}', ...WEB_APP_ROUTES]);

describe('the OpenAPI document', () => {
  it('describes every route the manager serves, and nothing it does not', () => {
    const served = routesOf(ApiModule)
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => !NOT_DOCUMENTED.has(route));
    const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => key !== 'parameters')
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(40);
    expect(new Set(documented)).toEqual(new Set(served));
  });
});
