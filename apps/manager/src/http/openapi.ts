import {
  createDatabaseHostRequestSchema,
  createDatabaseRequestSchema,
  createImageRequestSchema,
  createSiteRequestSchema,
  errorBodySchema,
  imageViewSchema,
  operationViewSchema,
  siteDatabaseConnectionViewSchema,
  siteStatusSchema,
  siteViewSchema,
  updateSiteRequestSchema,
} from '@dais/shared';
import { z } from 'zod';

const json = (schema: z.ZodType, io: 'input' | 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});
const error = (description: string) => ({ description, content: json(errorBodySchema, 'output') });
const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema, 'output') });
const idParameter = (what: string) => [
  { name: 'id', in: 'path', required: true, description: `The ${what}'s id.`, schema: { type: 'integer', minimum: 1 } },
];
const common = { '401': error('No valid API token.'), '500': error('Unexpected error; the body carries a correlation id.') };
const notFound = { '404': error('No such site, or not yours.') };
const operation = (summary: string, extra: Record<string, unknown> = {}) => ({
  summary,
  responses: {
    '202': ok('The operation that carries it out; follow it to the end.', operationViewSchema),
    ...notFound,
    ...extra,
    ...common,
  },
});
const adminOnly = { '403': error('Admins only.') };

/**
 * The manager's public API as OpenAPI 3.1, built from the same zod contracts that validate
 * requests, so the document cannot drift from the code. Served at `/api/openapi.json` and kept in
 * `docs/openapi.json`.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dais manager API',
      version: '0.2.0',
      description:
        'Create and run sites. Authenticate with `Authorization: Bearer <token>`. Every change answers 202 with an operation; follow it with GET /api/operations/{id} or live over Socket.IO (`site:subscribe` → `operation:updated`). Errors are `{ "error": { "code", "message", "details"? } }`.',
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths: {
      '/api/sites': {
        post: {
          summary: 'Create a site (static, or dynamic on a catalogue image)',
          requestBody: { required: true, content: json(createSiteRequestSchema, 'input') },
          responses: {
            '202': ok('Site recorded; its create operation is queued.', siteViewSchema),
            '400': error('The body breaks a rule (details.issues[].rule names it).'),
            '409': error('The name is taken (SITE_NAME_TAKEN).'),
            '413': error('The body is too large.'),
            ...common,
          },
        },
        get: {
          summary: 'List the sites you can see (admins see all)',
          responses: { '200': ok('Newest first.', z.object({ sites: z.array(siteViewSchema) })), ...common },
        },
      },
      '/api/sites/{id}': {
        parameters: idParameter('site'),
        get: {
          summary: 'Read a site and its latest operation',
          responses: { '200': ok('The site.', siteViewSchema), ...notFound, ...common },
        },
        patch: {
          summary: 'Change a site (limits, availability and nginx options: admins only)',
          requestBody: { required: true, content: json(updateSiteRequestSchema, 'input') },
          responses: {
            '202': ok('The site, with the update operation if one was needed.', siteViewSchema),
            '400': error('A rule or bound is broken.'),
            ...adminOnly,
            ...notFound,
            ...common,
          },
        },
        delete: operation('Delete a site (its containers, route, files, database and record)'),
      },
      '/api/sites/{id}/status': {
        parameters: idParameter('site'),
        get: {
          summary: 'What the site is doing now (running, starting, crashed with its exit code and output, …)',
          responses: { '200': ok('Live status.', siteStatusSchema), ...notFound, ...common },
        },
      },
      '/api/sites/{id}/restart': { parameters: idParameter('site'), post: operation('Restart a dynamic site (also after a crash)') },
      '/api/sites/{id}/stop': { parameters: idParameter('site'), post: operation("Stop a dynamic site's container") },
      '/api/sites/{id}/start': { parameters: idParameter('site'), post: operation("Start a stopped dynamic site's container") },
      '/api/sites/{id}/database': {
        parameters: idParameter('site'),
        post: {
          ...operation('Create the site database', { '409': error('The site already has one.') }),
          requestBody: { required: true, content: json(createDatabaseRequestSchema, 'input') },
        },
        get: {
          summary: 'How to connect to the site database (members only)',
          responses: { '200': ok('Connection details, password included.', siteDatabaseConnectionViewSchema), ...notFound, ...common },
        },
        delete: operation('Drop the site database'),
      },
      '/api/sites/{id}/database/rotate-password': {
        parameters: idParameter('site'),
        post: operation('Give the database user a new password'),
      },
      '/api/operations/{id}': {
        parameters: idParameter('operation'),
        get: {
          summary: 'Follow an operation: its steps, their states and messages',
          responses: { '200': ok('The operation.', operationViewSchema), '404': error('No such operation, or not yours.'), ...common },
        },
      },
      '/api/operations/{id}/retry': {
        parameters: idParameter('operation'),
        post: {
          summary: 'Retry a failed operation from its failed step',
          responses: {
            '202': ok('Queued again.', operationViewSchema),
            '409': error('Only failed operations can be retried (OPERATION_NOT_RETRYABLE).'),
            ...common,
          },
        },
      },
      '/api/images': {
        get: {
          summary: 'The image catalogue dynamic sites choose from',
          responses: { '200': ok('All images.', z.object({ images: z.array(imageViewSchema) })), ...common },
        },
        post: {
          summary: 'Add an image to the catalogue (admins)',
          requestBody: { required: true, content: json(createImageRequestSchema, 'input') },
          responses: { '201': ok('Added.', imageViewSchema), ...adminOnly, '409': error('The name is taken.'), ...common },
        },
      },
      '/api/database-hosts': {
        get: {
          summary: 'Registered database servers (admins; admin passwords never shown)',
          responses: { '200': { description: 'All hosts.' }, ...adminOnly, ...common },
        },
        post: {
          summary: 'Register a database server (admins)',
          requestBody: { required: true, content: json(createDatabaseHostRequestSchema, 'input') },
          responses: { '201': { description: 'Registered.' }, ...adminOnly, '409': error('The name is taken.'), ...common },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness (no authentication)', security: [], responses: { '200': { description: 'The process is up.' } } },
      },
    },
  };
}
