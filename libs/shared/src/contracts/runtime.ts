import { z } from 'zod';

/** Bounds of a site's resource limits; a value outside them is refused with a 400 naming the bound. */
export const RESOURCE_BOUNDS = {
  memoryMb: { min: 32, max: 16_384 },
  cpus: { min: 0.1, max: 8 },
  pids: { min: 16, max: 4_096 },
} as const;

/** Limits a new dynamic site gets unless an admin sets others. */
export const DEFAULT_RESOURCE_LIMITS = { memoryMb: 256, cpus: 0.5, pids: 256 } as const;

const bounded = (field: keyof typeof RESOURCE_BOUNDS, unit: string) => {
  const { min, max } = RESOURCE_BOUNDS[field];
  return z
    .number({ error: `${field} must be a number` })
    .min(min, `${field} must be at least ${min}${unit}`)
    .max(max, `${field} must be at most ${max}${unit}`);
};

/** CPU, memory and process limits of a site's container. */
export const resourceLimitsSchema = z.strictObject({
  memoryMb: bounded('memoryMb', ' MB').int(`memoryMb must be a whole number`),
  cpus: bounded('cpus', ' CPUs'),
  pids: bounded('pids', ' processes').int('pids must be a whole number'),
});

/** Parsed form of {@link resourceLimitsSchema}. */
export type ResourceLimits = z.output<typeof resourceLimitsSchema>;

/** Variables Dais sets itself; a site may not override them. */
export const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  'PORT',
  'HOST',
  'HOME',
  'PATH',
  'DATABASE_URL',
  'DB_ENGINE',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_USER',
  'DB_PASSWORD',
  'SITE_NAME',
]);

/** An environment variable name a site may set. */
export const envNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be letters, digits and _, not starting with a digit (at most 128)')
  .refine((name) => !RESERVED_ENV_NAMES.has(name) && !name.startsWith('DAIS_'), 'is set by Dais and cannot be overridden');

/** A site's own environment variables (or secrets): at most 100, values up to 32 KiB, no NUL bytes. */
export const siteEnvSchema = z
  .record(
    envNameSchema,
    z
      .string()
      .max(32_768, 'values must be at most 32768 characters')
      .refine((value) => !value.includes('\0'), 'values must not contain NUL'),
  )
  .refine((env) => Object.keys(env).length <= 100, 'at most 100 variables');

const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^${DOMAIN}${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

/** A Docker image reference such as `node:22`, `registry.example.org/team/app:1.2` or `dais/busybox`. */
export const imageReferenceSchema = z
  .string()
  .max(255, 'must be at most 255 characters')
  .regex(IMAGE_REFERENCE, 'must be a Docker image reference like name:tag');

/** Database engines a site may get a database on. */
export const databaseEngineSchema = z.enum(['postgresql', 'mysql']);

/** How a site's code reaches its database; becomes DATABASE_URL and DB_* in the container. */
export const databaseConnectionSchema = z.strictObject({
  engine: databaseEngineSchema,
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
  name: z.string().min(1).max(64),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** Parsed form of {@link databaseConnectionSchema}. */
export type DatabaseConnection = z.output<typeof databaseConnectionSchema>;

/** The URL a site's code connects with (`postgresql://…` or `mysql://…`), credentials escaped. */
export function databaseUrl(connection: DatabaseConnection): string {
  const scheme = connection.engine === 'postgresql' ? 'postgresql' : 'mysql';
  const credentials = `${encodeURIComponent(connection.username)}:${encodeURIComponent(connection.password)}`;
  return `${scheme}://${credentials}@${connection.host}:${connection.port}/${encodeURIComponent(connection.name)}`;
}

/** What runs a dynamic site: its image, limits, environment and database. */
export const siteRuntimeSchema = z.strictObject({
  image: imageReferenceSchema,
  limits: resourceLimitsSchema,
  env: siteEnvSchema.default({}),
  /** Like env, but never logged or shown back; values reach only the container. */
  secrets: siteEnvSchema.default({}),
  database: databaseConnectionSchema.nullable().default(null),
  /** Stopped by its owner: no container runs and visitors see the "not served" page. */
  stopped: z.boolean().default(false),
  /** Containers to run (Swarm spreads them over nodes; the docker runtime supports 1). */
  replicas: z.number().int().min(1).max(10).default(1),
  /** The run.sh written into the site folder when it becomes dynamic without one (from the image catalogue). */
  runScript: z.string().max(10_000).nullable().default(null),
});

/** Parsed form of {@link siteRuntimeSchema}. */
export type SiteRuntime = z.output<typeof siteRuntimeSchema>;

/** The port a dynamic site listens on inside its container (its `$PORT`). */
export const SITE_CONTAINER_PORT = 8080;
