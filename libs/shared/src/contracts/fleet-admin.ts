import { z } from 'zod';
import { peerVersionSchema, publicKeyPemSchema } from './fleet';

/** The name of an app host or router: a slug, unique among its kind (`local` is the one setup registers). */
export const fleetNameSchema = z
  .string()
  .regex(
    /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'must be 1 to 40 lowercase letters, digits and -, starting with a letter, not ending with -',
  );

/** The id a peer signs as and checks as the audience of the manager's requests (`orchestrator`, `router-2`). */
export const peerIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and -, starting with a letter (at most 40)');

/** Where the manager reaches a peer's control API: http(s), no credentials, query or fragment; kept without a trailing slash. */
export const peerUrlSchema = z
  .string()
  .max(500)
  .refine((text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) && url.hostname !== '' && !url.username && !url.password && !url.search && !url.hash;
  }, 'must be an http:// or https:// URL without credentials, query or fragment')
  .transform((text) => {
    const url = new URL(text);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });

/** How an app host runs site containers. */
export const appHostRuntimeSchema = z.enum(['docker', 'swarm']);
/** Whether new sites may be placed on an app host. */
export const appHostStateSchema = z.enum(['active', 'draining']);
/** How a peer answered its last health probe. */
export const peerHealthSchema = z.enum(['ok', 'degraded', 'unreachable']);

/** Parsed forms. */
export type AppHostRuntime = z.output<typeof appHostRuntimeSchema>;
export type AppHostState = z.output<typeof appHostStateSchema>;
export type PeerHealth = z.output<typeof peerHealthSchema>;

/** The most sites an admin may give one app host. */
export const MAX_APP_HOST_CAPACITY = 1_000_000;

/** `POST /api/admin/routers`: a router to register (probed before anything is written). */
export const addRouterRequestSchema = z.strictObject({
  name: fleetNameSchema,
  url: peerUrlSchema,
  peerId: peerIdSchema,
  publicKey: publicKeyPemSchema,
});

/** `POST /api/admin/app-hosts`: an orchestrator to register, with how it runs sites and how many it may hold. */
export const addAppHostRequestSchema = addRouterRequestSchema.extend({
  runtime: appHostRuntimeSchema.default('docker'),
  capacity: z.number().int().min(0).max(MAX_APP_HOST_CAPACITY),
});

/** Parsed forms of the add requests. */
export type AddRouterRequest = z.output<typeof addRouterRequestSchema>;
export type AddAppHostRequest = z.output<typeof addAppHostRequestSchema>;

/** What the last health probe saw (all null before the first). */
const lastSeenSchema = z.object({
  health: peerHealthSchema.nullable(),
  version: peerVersionSchema.nullable(),
  siteCount: z.number().int().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
});

/** A router as admins see it. */
export const routerViewSchema = z.object({
  id: z.number().int(),
  name: fleetNameSchema,
  url: z.string(),
  peerId: peerIdSchema,
  publicKey: z.string(),
  createdAt: z.iso.datetime(),
  lastSeen: lastSeenSchema,
});

/** An app host as admins see it. */
export const appHostViewSchema = routerViewSchema.extend({
  runtime: appHostRuntimeSchema,
  capacity: z.number().int(),
  state: appHostStateSchema,
});

/** Parsed forms of the views. */
export type RouterView = z.output<typeof routerViewSchema>;
export type AppHostView = z.output<typeof appHostViewSchema>;

/** Path parameter of one app host or router: its name. */
export const fleetNameParamsSchema = z.strictObject({ name: fleetNameSchema });
