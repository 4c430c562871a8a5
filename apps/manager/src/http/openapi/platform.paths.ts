import {
  createDatabaseHostRequestSchema,
  createDatabaseRequestSchema,
  createImageRequestSchema,
  databaseHostViewSchema,
  imageViewSchema,
  platformViewSchema,
  siteDatabaseConnectionViewSchema,
  sqlQueryRequestSchema,
  sqlQueryResultSchema,
} from '@dais/shared';
import { z } from 'zod';
import { adminOnly, body, changing, common, error, ids, ok, operation, siteNotFound, type PathItems } from './fragments';

const site = ids(['id', 'site']);
const anyone = { security: [] };

/** Databases, the image catalogue, and what operators and monitoring read. */
export const platformPaths: PathItems = {
  '/api/sites/{id}/database': {
    parameters: site,
    post: {
      ...operation('Create the site database on a registered host', { '409': error('The site already has one (DATABASE_EXISTS).') }),
      requestBody: body(createDatabaseRequestSchema),
    },
    get: {
      summary: 'How to connect to the site database (members and admins only)',
      responses: { '200': ok('Connection details, password included.', siteDatabaseConnectionViewSchema), ...siteNotFound, ...common },
    },
    delete: operation('Drop the site database'),
  },
  '/api/sites/{id}/database/rotate-password': { parameters: site, post: operation('Give the database user a new password') },
  '/api/sites/{id}/database/query': {
    parameters: site,
    post: {
      summary: "SQL console: run one statement as the site's database user (5 s timeout, 500 rows)",
      requestBody: body(sqlQueryRequestSchema),
      responses: {
        ...changing,
        '200': ok('The result (truncated says whether rows or long values were cut).', sqlQueryResultSchema),
        '400': error('The database refused the statement, with its message (DATABASE_QUERY_FAILED), or the input breaks a rule.'),
        '404': error('No such site, or it has no database (DATABASE_NOT_FOUND).'),
        '422': error('The statement ran past the timeout and was cancelled (DATABASE_QUERY_TIMEOUT).'),
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
      requestBody: body(createImageRequestSchema),
      responses: { '201': ok('Added.', imageViewSchema), '409': error('The name is taken.'), ...changing, ...adminOnly },
    },
  },
  '/api/database-hosts': {
    get: {
      summary: 'Registered database servers (admins; admin passwords never shown)',
      responses: { '200': ok('All hosts.', z.object({ hosts: z.array(databaseHostViewSchema) })), ...adminOnly, ...common },
    },
    post: {
      summary: 'Register a database server (admins)',
      requestBody: body(createDatabaseHostRequestSchema),
      responses: {
        '201': ok('Registered.', databaseHostViewSchema),
        '409': error('The name is taken (NAME_TAKEN).'),
        ...changing,
        ...adminOnly,
      },
    },
  },
  '/api/platform': {
    get: {
      summary: 'This installation as a dashboard needs it: the sites domain, upload and edit limits, the SSH address, single sign-on',
      responses: { '200': ok('The installation.', platformViewSchema), ...common },
    },
  },
  '/health': {
    get: { ...anyone, summary: 'Liveness: the process is up (also at /healthz)', responses: { '200': { description: 'Up.' } } },
  },
  '/ready': {
    get: {
      ...anyone,
      summary: 'Readiness: PostgreSQL and Redis answer',
      responses: { '200': { description: 'Ready.' }, '503': { description: 'Not ready; the body names what does not answer.' } },
    },
  },
  '/metrics': {
    get: {
      ...anyone,
      summary:
        'Prometheus metrics: request latency, queue depth, operations by outcome (with DAIS_METRICS_TOKEN set, send it as a bearer token; without, keep it on the monitoring network)',
      responses: {
        '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': { description: 'DAIS_METRICS_TOKEN is set and the request did not send it (`Authorization: Bearer <token>`).' },
      },
    },
  },
  '/api/openapi.json': { get: { ...anyone, summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.' } } } },
  '/api/docs': {
    get: { ...anyone, summary: 'Interactive documentation (Swagger UI) for this document', responses: { '200': { description: 'HTML.' } } },
  },
};
