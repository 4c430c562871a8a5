import { createSiteRequestSchema, errorBodySchema, operationViewSchema, siteViewSchema } from '@dais/shared';
import { z } from 'zod';

const json = (schema: z.ZodType, io: 'input' | 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});
const error = (description: string) => ({ description, content: json(errorBodySchema, 'output') });
const idParameter = (name: string, what: string) => ({
  name,
  in: 'path',
  required: true,
  description: `The ${what}'s id.`,
  schema: { type: 'integer', minimum: 1 },
});

/**
 * The manager's public API as OpenAPI 3.1, built from the same zod contracts that validate
 * requests, so the document cannot drift from the code. Served at `/api/openapi.json` and kept in
 * `docs/openapi.json`.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  const common = { '401': error('No valid API token.'), '500': error('Unexpected error; the body carries a correlation id.') };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dais manager API',
      version: '0.1.0',
      description:
        'Create and run sites. Authenticate with `Authorization: Bearer <token>`. Every change answers 202 with an operation; follow it with GET /api/operations/{id} or live over Socket.IO (`site:subscribe` → `operation:updated`). Errors are `{ "error": { "code", "message", "details"? } }`.',
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths: {
      '/api/sites': {
        post: {
          summary: 'Create a static site',
          requestBody: { required: true, content: json(createSiteRequestSchema, 'input') },
          responses: {
            '202': { description: 'Site recorded; its create operation is queued.', content: json(siteViewSchema, 'output') },
            '400': error('The body breaks a rule (SITE_NAME_INVALID names the rule in details.issues[].rule).'),
            '409': error('The name is taken (SITE_NAME_TAKEN).'),
            '413': error('The body is too large.'),
            ...common,
          },
        },
        get: {
          summary: 'List the sites you can see (admins see all)',
          responses: {
            '200': { description: 'Newest first.', content: json(z.object({ sites: z.array(siteViewSchema) }), 'output') },
            ...common,
          },
        },
      },
      '/api/sites/{id}': {
        parameters: [idParameter('id', 'site')],
        get: {
          summary: 'Read a site and its latest operation',
          responses: {
            '200': { description: 'The site.', content: json(siteViewSchema, 'output') },
            '404': error('No such site, or not yours.'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete a site (its route, files and record)',
          responses: {
            '202': {
              description: 'The delete operation (the same one if a delete is already under way).',
              content: json(operationViewSchema, 'output'),
            },
            '404': error('No such site, or not yours.'),
            ...common,
          },
        },
      },
      '/api/operations/{id}': {
        parameters: [idParameter('id', 'operation')],
        get: {
          summary: 'Follow an operation: its steps, their states and messages',
          responses: {
            '200': { description: 'The operation.', content: json(operationViewSchema, 'output') },
            '404': error('No such operation, or not yours.'),
            ...common,
          },
        },
      },
      '/api/operations/{id}/retry': {
        parameters: [idParameter('id', 'operation')],
        post: {
          summary: 'Retry a failed operation from its failed step',
          responses: {
            '202': { description: 'Queued again.', content: json(operationViewSchema, 'output') },
            '409': error('Only failed operations can be retried (OPERATION_NOT_RETRYABLE).'),
            ...common,
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness (no authentication)', security: [], responses: { '200': { description: 'The process is up.' } } },
      },
    },
  };
}
