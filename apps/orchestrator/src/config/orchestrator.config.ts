import { join, relative } from 'node:path';
import { agentCommonConfig, agentEnvFields, ConfigError, envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';
import { containmentConfig, containmentEnvFields, type ContainmentConfig } from './containment.config';

const schema = z.object({
  ...agentEnvFields,
  DAIS_ORCHESTRATOR_ID: envField.componentId().default('orchestrator'),
  DAIS_ORCHESTRATOR_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ORCHESTRATOR_PORT: envField.port().default(7100),
  DAIS_ORCHESTRATOR_SITES_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ORCHESTRATOR_SITES_PORT: envField.port().default(7101),
  DAIS_ORCHESTRATOR_STATUS_PORT: envField.port().default(7102),
  DAIS_ORCHESTRATOR_DATA_ROOT: envField.absolutePath().optional(),
  DAIS_ORCHESTRATOR_NGINX_PREFIX: envField.absolutePath().optional(),
  DAIS_RUNTIME: z.enum(['docker', 'swarm'], { error: 'must be docker or swarm' }).default('docker'),
  DAIS_DOCKER_SOCKET: envField.absolutePath().default('/var/run/docker.sock'),
  DAIS_SITE_NAME_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be lowercase letters, digits and -, starting with a letter')
    .default('dais-site-'),
  DAIS_SITES_NETWORK: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be a Docker network name')
    .default('dais-sites'),
  DAIS_SITE_UID_BASE: envField.positiveInt().default(200_000),
  ...containmentEnvFields,
  DAIS_RECONCILE_INTERVAL_MS: envField.positiveInt().default(30_000),
  DAIS_TERMINAL_IDLE_TIMEOUT_MS: envField.positiveInt().default(15 * 60_000),
  DAIS_TERMINAL_MAX_LIFETIME_MS: envField.positiveInt().default(8 * 60 * 60_000),
  DAIS_WS_HEARTBEAT_MS: envField.positiveInt().default(30_000),
  DAIS_LOGS_MAX_TAIL: envField.positiveInt().default(5_000),
  DAIS_STATUS_POLL_MS: envField.positiveInt().default(5_000),
  DAIS_TERMINAL_MAX_PER_SITE: envField.positiveInt().default(10),
  DAIS_FILES_UPLOAD_MAX_BYTES: envField.positiveInt().default(256 * 1024 * 1024),
  DAIS_FILES_ARCHIVE_MAX_BYTES: envField.positiveInt().default(1024 * 1024 * 1024),
  DAIS_FILES_ARCHIVE_MAX_ENTRIES: envField.positiveInt().default(20_000),
  DAIS_DISK_DRIVER: z.enum(['none', 'loop', 'xfs-prjquota'], { error: 'must be none, loop or xfs-prjquota' }).default('none'),
  DAIS_DISK_IMAGES_DIR: envField.absolutePath().optional(),
});

/** Everything the orchestrator needs to know at startup, parsed once and frozen. */
export interface OrchestratorConfig {
  id: string;
  api: { host: string; port: number; bodyLimitBytes: number };
  sites: { host: string; port: number; dataRoot: string };
  nginx: { binary: string; prefix: string; statusPort: number; stopOnExit: boolean };
  runtime: {
    kind: 'docker' | 'swarm';
    dockerSocket: string;
    /** Prefix of every container, service and image Dais makes for sites (`<prefix><site id>`). */
    namePrefix: string;
    /** The bridge network site containers join (docker runtime). */
    network: string;
    /** Site N's processes and files run as uid/gid `uidBase + N`. */
    uidBase: number;
    reconcileIntervalMs: number;
  };
  /** Websocket sessions (terminals, logs, status, file events, the shell's sessions). */
  live: {
    /** A terminal with no input from its client for this long is closed. */
    idleTimeoutMs: number;
    /** No terminal lives longer than this, busy or not. */
    maxLifetimeMs: number;
    /** Every websocket is pinged this often; one that missed the previous pong is dropped. */
    heartbeatMs: number;
    /** Most log lines a logs stream starts with. */
    maxLogTail: number;
    /** A status stream also re-reads the status this often (some changes raise no Docker event). */
    statusPollMs: number;
    /** Most process sessions (terminals, SSH shells, commands, SFTP) one site may have at once. */
    maxSessionsPerSite: number;
  };
  /** How image builds and Swarm tasks are fenced in (containment.config.ts). */
  build: ContainmentConfig['build'];
  swarm: ContainmentConfig['swarm'];
  keys: { dir: string };
  /** The append-only file of accepted request and shell-token nonces, so replays stay refused across restarts. */
  nonceFile: string;
  logLevel: string;
  /** Limits of the site file API: one upload, and one folder downloaded as a zip. */
  files: { uploadMaxBytes: number; archiveMaxBytes: number; archiveMaxEntries: number };
  /** How site folders are held to their disk limit (docs/files.md#disk-limits). */
  disks: {
    driver: 'none' | 'loop' | 'xfs-prjquota';
    /** Where the `loop` driver keeps site images: never inside the sites folder. */
    imagesDir: string;
  };
}

/** Reads the orchestrator's configuration; throws a ConfigError listing every bad key. */
export function loadOrchestratorConfig(source: EnvSource = process.env): OrchestratorConfig {
  const env = parseEnv(schema, withEnvFile(source));
  const common = agentCommonConfig(env);
  const home = join(env.DAIS_STATE_DIR, 'orchestrator');
  const dataRoot = env.DAIS_ORCHESTRATOR_DATA_ROOT ?? join(home, 'data');
  const imagesDir = env.DAIS_DISK_IMAGES_DIR ?? join(dataRoot, 'disks');
  const fromSites = relative(join(dataRoot, 'sites'), imagesDir);
  if (fromSites === '' || !fromSites.startsWith('..')) {
    // A site could reach its own image (or another's) through its folder.
    throw new ConfigError([`DAIS_DISK_IMAGES_DIR: must be outside the sites folder ${join(dataRoot, 'sites')}`]);
  }
  return Object.freeze({
    id: env.DAIS_ORCHESTRATOR_ID,
    api: { host: env.DAIS_ORCHESTRATOR_HOST, port: env.DAIS_ORCHESTRATOR_PORT, bodyLimitBytes: common.bodyLimitBytes },
    sites: {
      host: env.DAIS_ORCHESTRATOR_SITES_HOST,
      port: env.DAIS_ORCHESTRATOR_SITES_PORT,
      dataRoot,
    },
    nginx: {
      ...common.nginx,
      prefix: env.DAIS_ORCHESTRATOR_NGINX_PREFIX ?? join(home, 'nginx'),
      statusPort: env.DAIS_ORCHESTRATOR_STATUS_PORT,
    },
    runtime: {
      kind: env.DAIS_RUNTIME,
      dockerSocket: env.DAIS_DOCKER_SOCKET,
      namePrefix: env.DAIS_SITE_NAME_PREFIX,
      network: env.DAIS_SITES_NETWORK,
      uidBase: env.DAIS_SITE_UID_BASE,
      reconcileIntervalMs: env.DAIS_RECONCILE_INTERVAL_MS,
    },
    live: {
      idleTimeoutMs: env.DAIS_TERMINAL_IDLE_TIMEOUT_MS,
      maxLifetimeMs: env.DAIS_TERMINAL_MAX_LIFETIME_MS,
      heartbeatMs: env.DAIS_WS_HEARTBEAT_MS,
      maxLogTail: env.DAIS_LOGS_MAX_TAIL,
      statusPollMs: env.DAIS_STATUS_POLL_MS,
      maxSessionsPerSite: env.DAIS_TERMINAL_MAX_PER_SITE,
    },
    ...containmentConfig(env),
    keys: common.keys,
    nonceFile: join(home, 'nonces.log'),
    logLevel: common.logLevel,
    files: {
      uploadMaxBytes: env.DAIS_FILES_UPLOAD_MAX_BYTES,
      archiveMaxBytes: env.DAIS_FILES_ARCHIVE_MAX_BYTES,
      archiveMaxEntries: env.DAIS_FILES_ARCHIVE_MAX_ENTRIES,
    },
    disks: { driver: env.DAIS_DISK_DRIVER, imagesDir },
  });
}
