import { dirname, join, resolve } from 'node:path';
import {
  DEFAULT_DISK_LIMIT_MB,
  DISK_LIMIT_BOUNDS,
  envField,
  loadOutboundTls,
  parseEnv,
  SHELL_TOKEN_MAX_TTL_MS,
  withEnvFile,
  type EnvSource,
  type OutboundTls,
  usernameSchema,
} from '@dais/shared';
import { z } from 'zod';
import { domainChecksConfig, domainChecksEnv, type DomainChecksConfig } from './domain-checks.config';

const schema = z.object({
  DAIS_STATE_DIR: envField.absolutePath().default('/var/lib/dais'),
  DAIS_MANAGER_ROLE: z.enum(['all', 'api', 'worker'], { error: 'must be all, api or worker' }).default('all'),
  DAIS_MANAGER_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_MANAGER_PORT: envField.port().default(7000),
  DATABASE_URL: z
    .string({ error: 'is required (postgresql://user:password@host:5432/database)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  DAIS_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'must be lowercase letters, digits, _ or -')
    .default('dais'),
  DAIS_QUEUE_LOCK_MS: envField.positiveInt().default(30_000),
  DAIS_OPERATION_ATTEMPTS: envField.positiveInt().default(8),
  DAIS_OPERATION_BACKOFF_MS: envField.positiveInt().default(1_000),
  DAIS_SWEEP_INTERVAL_MS: envField.positiveInt().default(30_000),
  DAIS_BACKUP_DIR: envField.absolutePath().optional(),
  DAIS_BACKUP_INTERVAL_MS: envField.positiveInt().default(24 * 60 * 60_000),
  DAIS_BACKUP_KEEP: envField.positiveInt().default(7),
  /** How often workers read certificate states from the router. */
  DAIS_CERTIFICATE_SYNC_INTERVAL_MS: envField.positiveInt().default(15_000),
  /** How often workers probe every registered app host and router (health, version, site count). */
  DAIS_FLEET_HEALTH_INTERVAL_MS: envField.positiveInt().default(30_000),
  /** The runtime of the configured orchestrator (the one it reads too), recorded when it is registered as `local`. */
  DAIS_RUNTIME: z.enum(['docker', 'swarm'], { error: 'must be docker or swarm' }).default('docker'),
  /** How often workers delete expired sessions. */
  DAIS_SESSION_CLEANUP_INTERVAL_MS: envField.positiveInt().default(60 * 60_000),
  DAIS_ORCHESTRATOR_URL: envField.httpUrl().default('http://127.0.0.1:7100'),
  DAIS_ORCHESTRATOR_ID: envField.componentId().default('orchestrator'),
  DAIS_ROUTER_URL: envField.httpUrl().default('http://127.0.0.1:7200'),
  DAIS_ROUTER_ID: envField.componentId().default('router'),
  DAIS_PEER_TIMEOUT_MS: envField.positiveInt().default(30_000),
  /** The manager's identity at load balancers in front of orchestrators and routers (used on https:// URLs). */
  DAIS_MANAGER_CLIENT_CERT: envField.absolutePath().optional(),
  DAIS_MANAGER_CLIENT_KEY: envField.absolutePath().optional(),
  /** The CA that signed those balancers' server certificates. */
  DAIS_MANAGER_CA_CERT: envField.absolutePath().optional(),
  DAIS_SITES_DOMAIN: envField.sitesDomain().default('dais.localhost'),
  DAIS_SITES_PUBLIC_SCHEME: z.enum(['http', 'https']).default('http'),
  DAIS_SITES_PUBLIC_PORT: envField.port().default(8080),
  DAIS_SITE_DISK_LIMIT_MB: z.coerce
    .number({ error: 'must be a number of MiB' })
    .int('must be a whole number of MiB')
    .min(DISK_LIMIT_BOUNDS.min, `must be at least ${DISK_LIMIT_BOUNDS.min}`)
    .max(DISK_LIMIT_BOUNDS.max, `must be at most ${DISK_LIMIT_BOUNDS.max}`)
    .default(DEFAULT_DISK_LIMIT_MB),
  DAIS_ALLOWED_ORIGINS: envField.commaList().pipe(z.array(envField.httpUrl())).default(['http://127.0.0.1:7000', 'http://localhost:7000']),
  DAIS_KEYS_DIR: envField.absolutePath().optional(),
  DAIS_BODY_LIMIT_BYTES: envField.positiveInt().default(1024 * 1024),
  /** Load balancers whose X-Forwarded-For names the real client (sign-in limits and the audit log use it). */
  DAIS_TRUSTED_PROXIES: envField.addressList().default([]),
  DAIS_PUBLIC_URL: envField.httpUrl().default('http://127.0.0.1:7000'),
  DAIS_SESSION_TTL_HOURS: envField.positiveInt().default(72),
  /** Overrides the hours when set (short sessions for tests). */
  DAIS_SESSION_TTL_SECONDS: envField.positiveInt().optional(),
  /** The first delay of the sign-in limiter; each further failure doubles it (see auth/login-rate-limiter.ts). */
  DAIS_LOGIN_BASE_DELAY_MS: envField.positiveInt().default(1_000),
  /** The longest an address, or an address guessing one account, is made to wait. */
  DAIS_LOGIN_MAX_DELAY_SECONDS: envField.positiveInt().default(900),
  /** The longest an address new to an account under attack waits once: what a stranger can cost the owner. */
  DAIS_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: envField.positiveInt().default(30),
  DAIS_OPERATION_DEADLINE_MINUTES: envField.positiveInt().default(60),
  /** Overrides the minutes when set (short deadlines for tests and impatient setups). */
  DAIS_OPERATION_DEADLINE_SECONDS: envField.positiveInt().optional(),
  DAIS_OIDC_ISSUER: envField.httpUrl().optional(),
  DAIS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DAIS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Put before every site database and user name, for several Dais installations (or test runs) sharing one database server. */
  DAIS_DATABASE_NAME_PREFIX: z
    .string()
    .regex(/^([a-z][a-z0-9]{0,9}_)?$/, 'must be up to 10 lowercase letters or digits (starting with a letter) and a final _')
    .default(''),
  /** How long a site token from a shell sign-in stays good (the person picks a site from the menu within it). */
  DAIS_SHELL_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(SHELL_TOKEN_MAX_TTL_MS / 1000)
    .default(60),
  /** How long the manager remembers each SSH key sign-in it accepted, refusing the same signed request again. */
  DAIS_SHELL_KEY_REPLAY_WINDOW_HOURS: envField.positiveInt().default(7 * 24),
  DAIS_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** The built dashboard (index.html + assets/); by default the one built beside this manager. */
  DAIS_WEB_ROOT: envField.absolutePath().optional(),
  /** Where people connect with ssh/sftp, as the dashboard shows it (the shell reads the same key). */
  DAIS_SHELL_PUBLIC_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, 'must be a hostname or an IP address')
    .default('127.0.0.1'),
  DAIS_SHELL_PUBLIC_PORT: envField.port().optional(),
  /** The port the shell listens on (its own key): the public port unless a balancer in front changes it. */
  DAIS_SHELL_PORT: envField.port().default(2222),
  /** The keys that seal secrets in PostgreSQL (docs/secrets.md); by default in the state folder, made by setup. */
  DAIS_SECRETS_KEY_FILE: envField.absolutePath().optional(),
  /** When set, GET /metrics wants `Authorization: Bearer <this>`. */
  DAIS_METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{24,256}$/, 'must be 24 to 256 printable characters without spaces (e.g. openssl rand -hex 32)')
    .optional(),
  /** Apply pending migrations before starting (several managers starting at once take turns). */
  DAIS_MIGRATE_ON_START: envField.boolean().default(false),
  /** On a start that finds no user at all, create this admin and print its generated password once. */
  DAIS_BOOTSTRAP_ADMIN: usernameSchema.optional(),
  ...domainChecksEnv,
});

/** Where `npm run build:web` puts the dashboard, found from this file so any working directory works. */
const BUILT_WEB_ROOT = resolve(__dirname, '../../web/dist');

/** Which parts of the manager a process runs: the HTTP API, the operation worker, or both. */
export type ManagerRole = 'all' | 'api' | 'worker';

/** Everything the manager needs to know at startup, parsed once and frozen. */
export interface ManagerConfig {
  role: ManagerRole;
  http: { host: string; port: number; bodyLimitBytes: number; allowedOrigins: readonly string[]; trustedProxies: readonly string[] };
  databaseUrl: string;
  redisUrl: string;
  queue: { prefix: string; lockMs: number; attempts: number; backoffMs: number; sweepIntervalMs: number };
  orchestrator: { url: string; id: string };
  router: { url: string; id: string };
  peerTimeoutMs: number;
  /** Client certificate and CA for https:// peers behind load balancers. */
  peerTls: OutboundTls;
  /** `diskLimitMb`: the disk limit of every site without its own (admin default, MiB). */
  sites: { domain: string; publicScheme: 'http' | 'https'; publicPort: number; diskLimitMb: number };
  keys: { dir: string };
  /** The internal CA's certificates (kept in backups). */
  internalCaDir: string;
  /** Where browsers reach the manager: cookies are Secure when this is https, OIDC returns here. */
  publicUrl: string;
  sessionTtlMs: number;
  /** The sign-in limiter's delays. */
  login: { baseDelayMs: number; maxDelayMs: number; accountMaxDelayMs: number };
  /** Prefix of site database and user names on shared database servers ('' by default). */
  databaseNamePrefix: string;
  /** An operation running longer than this is marked failed by the sweeper. */
  operationDeadlineMs: number;
  /** Single sign-on with OpenID Connect, when all three settings are given. */
  oidc: { issuer: string; clientId: string; clientSecret: string } | null;
  certificateSyncIntervalMs: number;
  fleetHealthIntervalMs: number;
  localRuntime: 'docker' | 'swarm';
  sessionCleanupIntervalMs: number;
  /** Lifetime of the single-use site tokens shell sign-ins hand out. */
  shellTokenTtlMs: number;
  /** How long a key sign-in's signed request is remembered (and refused if it comes again). */
  shellKeyReplayWindowMs: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** The dashboard's built files, served at the root. */
  web: { root: string };
  /** The SSH/SFTP address the dashboard tells people to connect to. */
  shell: { publicHost: string; publicPort: number };
  /** The file of keys that seal the secrets kept in PostgreSQL. */
  secrets: { keyFile: string };
  /** The manager's state folder (keys, internal CA, secrets key by default): what a backup keeps of this host. */
  stateDir: string;
  /** Scheduled backups (docs/backup.md): off unless a folder is set; the newest `keep` archives are kept. */
  backups: { dir: string | null; intervalMs: number; keep: number };
  /** The bearer token GET /metrics wants, or null: open to whoever reaches it. */
  metrics: { token: string | null };
  /** Proof of control of custom domains: DNS, check timing, release, reserved names. */
  domains: DomainChecksConfig;
  /** What happens before the manager serves: migrations, and the first admin of an empty installation. */
  startup: { migrate: boolean; bootstrapAdmin: string | null };
}

/** Reads the manager's configuration; throws a ConfigError listing every bad key. */
export function loadManagerConfig(source: EnvSource = process.env): ManagerConfig {
  const env = parseEnv(schema, withEnvFile(source));
  return Object.freeze({
    role: env.DAIS_MANAGER_ROLE,
    http: {
      host: env.DAIS_MANAGER_HOST,
      port: env.DAIS_MANAGER_PORT,
      bodyLimitBytes: env.DAIS_BODY_LIMIT_BYTES,
      allowedOrigins: env.DAIS_ALLOWED_ORIGINS,
      trustedProxies: env.DAIS_TRUSTED_PROXIES,
    },
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    queue: {
      prefix: env.DAIS_QUEUE_PREFIX,
      lockMs: env.DAIS_QUEUE_LOCK_MS,
      attempts: env.DAIS_OPERATION_ATTEMPTS,
      backoffMs: env.DAIS_OPERATION_BACKOFF_MS,
      sweepIntervalMs: env.DAIS_SWEEP_INTERVAL_MS,
    },
    orchestrator: { url: env.DAIS_ORCHESTRATOR_URL, id: env.DAIS_ORCHESTRATOR_ID },
    router: { url: env.DAIS_ROUTER_URL, id: env.DAIS_ROUTER_ID },
    peerTimeoutMs: env.DAIS_PEER_TIMEOUT_MS,
    peerTls: loadOutboundTls({
      clientCert: { key: 'DAIS_MANAGER_CLIENT_CERT', path: env.DAIS_MANAGER_CLIENT_CERT },
      clientKey: { key: 'DAIS_MANAGER_CLIENT_KEY', path: env.DAIS_MANAGER_CLIENT_KEY },
      caCert: { key: 'DAIS_MANAGER_CA_CERT', path: env.DAIS_MANAGER_CA_CERT },
    }),
    sites: {
      domain: env.DAIS_SITES_DOMAIN,
      publicScheme: env.DAIS_SITES_PUBLIC_SCHEME,
      publicPort: env.DAIS_SITES_PUBLIC_PORT,
      diskLimitMb: env.DAIS_SITE_DISK_LIMIT_MB,
    },
    keys: { dir: env.DAIS_KEYS_DIR ?? join(env.DAIS_STATE_DIR, 'keys') },
    // The internal CA's folder (npm start: <state>/tls; compose: beside DAIS_MANAGER_CA_CERT in the secrets volume).
    internalCaDir: env.DAIS_MANAGER_CA_CERT === undefined ? join(env.DAIS_STATE_DIR, 'tls') : dirname(env.DAIS_MANAGER_CA_CERT),
    publicUrl: env.DAIS_PUBLIC_URL,
    sessionTtlMs:
      env.DAIS_SESSION_TTL_SECONDS === undefined ? env.DAIS_SESSION_TTL_HOURS * 3_600_000 : env.DAIS_SESSION_TTL_SECONDS * 1_000,
    login: {
      baseDelayMs: env.DAIS_LOGIN_BASE_DELAY_MS,
      maxDelayMs: env.DAIS_LOGIN_MAX_DELAY_SECONDS * 1_000,
      accountMaxDelayMs: env.DAIS_LOGIN_ACCOUNT_MAX_DELAY_SECONDS * 1_000,
    },
    databaseNamePrefix: env.DAIS_DATABASE_NAME_PREFIX,
    operationDeadlineMs:
      env.DAIS_OPERATION_DEADLINE_SECONDS === undefined
        ? env.DAIS_OPERATION_DEADLINE_MINUTES * 60_000
        : env.DAIS_OPERATION_DEADLINE_SECONDS * 1_000,
    oidc:
      env.DAIS_OIDC_ISSUER && env.DAIS_OIDC_CLIENT_ID && env.DAIS_OIDC_CLIENT_SECRET
        ? { issuer: env.DAIS_OIDC_ISSUER, clientId: env.DAIS_OIDC_CLIENT_ID, clientSecret: env.DAIS_OIDC_CLIENT_SECRET }
        : null,
    certificateSyncIntervalMs: env.DAIS_CERTIFICATE_SYNC_INTERVAL_MS,
    fleetHealthIntervalMs: env.DAIS_FLEET_HEALTH_INTERVAL_MS,
    localRuntime: env.DAIS_RUNTIME,
    sessionCleanupIntervalMs: env.DAIS_SESSION_CLEANUP_INTERVAL_MS,
    shellTokenTtlMs: env.DAIS_SHELL_TOKEN_TTL_SECONDS * 1_000,
    shellKeyReplayWindowMs: env.DAIS_SHELL_KEY_REPLAY_WINDOW_HOURS * 3_600_000,
    logLevel: env.DAIS_LOG_LEVEL,
    web: { root: env.DAIS_WEB_ROOT ?? BUILT_WEB_ROOT },
    shell: { publicHost: env.DAIS_SHELL_PUBLIC_HOST, publicPort: env.DAIS_SHELL_PUBLIC_PORT ?? env.DAIS_SHELL_PORT },
    secrets: { keyFile: env.DAIS_SECRETS_KEY_FILE ?? join(env.DAIS_STATE_DIR, 'secrets/secrets.key') },
    stateDir: env.DAIS_STATE_DIR,
    backups: { dir: env.DAIS_BACKUP_DIR ?? null, intervalMs: env.DAIS_BACKUP_INTERVAL_MS, keep: env.DAIS_BACKUP_KEEP },
    metrics: { token: env.DAIS_METRICS_TOKEN ?? null },
    domains: domainChecksConfig(env),
    startup: { migrate: env.DAIS_MIGRATE_ON_START, bootstrapAdmin: env.DAIS_BOOTSTRAP_ADMIN ?? null },
  });
}

/** Nest injection token for {@link ManagerConfig}. */
export const MANAGER_CONFIG = Symbol('MANAGER_CONFIG');
