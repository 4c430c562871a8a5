import { z } from 'zod';
import { siteNameSchema } from '../naming/site-name';
import { availabilitySchema, siteTypeSchema } from './orchestrator';

/** `POST /api/sites`: what a user asks for when creating a site. Unknown fields are refused. */
export const createSiteRequestSchema = z.strictObject({
  name: siteNameSchema,
  type: z.enum(['static']).default('static'),
  description: z.string().max(500, 'must be at most 500 characters').default(''),
});

/** Parsed form of {@link createSiteRequestSchema}. */
export type CreateSiteRequest = z.output<typeof createSiteRequestSchema>;

/** States of an operation as a whole. */
export const operationStateSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);

/** States of one step of an operation. */
export const stepStateSchema = z.enum(['pending', 'running', 'retrying', 'succeeded', 'failed']);

/** One ordered step of an operation, as the API and live events show it. */
export const operationStepViewSchema = z.object({
  position: z.number().int(),
  name: z.string(),
  title: z.string(),
  state: stepStateSchema,
  attempts: z.number().int(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** An operation (a long task on one site), as the API and live events show it. */
export const operationViewSchema = z.object({
  id: z.number().int(),
  siteId: z.number().int().nullable(),
  siteName: z.string(),
  kind: z.enum(['create_site', 'delete_site']),
  state: operationStateSchema,
  error: z.string().nullable(),
  steps: z.array(operationStepViewSchema),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** Parsed form of {@link operationViewSchema}. */
export type OperationView = z.output<typeof operationViewSchema>;

/** Lifecycle of a site record in the manager. */
export const siteStateSchema = z.enum(['provisioning', 'active', 'failed', 'deleting']);

/** A site as the API shows it. */
export const siteViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: siteTypeSchema,
  description: z.string(),
  state: siteStateSchema,
  availability: availabilitySchema,
  url: z.string(),
  hostnames: z.array(z.string()),
  createdAt: z.string(),
  operation: operationViewSchema.nullable(),
});

/** Parsed form of {@link siteViewSchema}. */
export type SiteView = z.output<typeof siteViewSchema>;

/** Socket.IO event names the manager emits and accepts. */
export const SOCKET_EVENTS = {
  /** client → server: `{ siteId }`, join that site's room (membership checked). */
  subscribeSite: 'site:subscribe',
  /** client → server: `{ siteId }`, leave that site's room. */
  unsubscribeSite: 'site:unsubscribe',
  /** server → client: an {@link OperationView} whenever an operation or one of its steps changes. */
  operationUpdated: 'operation:updated',
} as const;

/** Payload of the subscribe/unsubscribe messages. */
export const siteSubscriptionSchema = z.strictObject({ siteId: z.number().int().positive() });
