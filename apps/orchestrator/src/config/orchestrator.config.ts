import { join } from 'node:path';
import { envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';

const schema = z.object({
  DAIS_STATE_DIR: envField.absolutePath().default('/var/lib/dais'),
  DAIS_ORCHESTRATOR_ID: envField.componentId().default('orchestrator'),
  DAIS_ORCHESTRATOR_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ORCHESTRATOR_PORT: envField.port().default(7100),
  DAIS_ORCHESTRATOR_SITES_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ORCHESTRATOR_SITES_PORT: envField.port().default(7101),
  DAIS_ORCHESTRATOR_STATUS_PORT: envField.port().default(7102),
  DAIS_ORCHESTRATOR_DATA_ROOT: envField.absolutePath().optional(),
  DAIS_ORCHESTRATOR_NGINX_PREFIX: envField.absolutePath().optional(),
  DAIS_KEYS_DIR: envField.absolutePath().optional(),
  DAIS_NGINX_BINARY: z.string().default('nginx'),
  DAIS_NGINX_STOP_ON_EXIT: envField.boolean().default(true),
  DAIS_BODY_LIMIT_BYTES: envField.positiveInt().default(1024 * 1024),
  DAIS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Everything the orchestrator needs to know at startup, parsed once and frozen. */
export interface OrchestratorConfig {
  id: string;
  api: { host: string; port: number; bodyLimitBytes: number };
  sites: { host: string; port: number; dataRoot: string };
  nginx: { binary: string; prefix: string; statusPort: number; stopOnExit: boolean };
  keys: { dir: string };
  logLevel: string;
}

/** Reads the orchestrator's configuration; throws a ConfigError listing every bad key. */
export function loadOrchestratorConfig(source: EnvSource = process.env): OrchestratorConfig {
  const env = parseEnv(schema, withEnvFile(source));
  const home = join(env.DAIS_STATE_DIR, 'orchestrator');
  return Object.freeze({
    id: env.DAIS_ORCHESTRATOR_ID,
    api: { host: env.DAIS_ORCHESTRATOR_HOST, port: env.DAIS_ORCHESTRATOR_PORT, bodyLimitBytes: env.DAIS_BODY_LIMIT_BYTES },
    sites: {
      host: env.DAIS_ORCHESTRATOR_SITES_HOST,
      port: env.DAIS_ORCHESTRATOR_SITES_PORT,
      dataRoot: env.DAIS_ORCHESTRATOR_DATA_ROOT ?? join(home, 'data'),
    },
    nginx: {
      binary: env.DAIS_NGINX_BINARY,
      prefix: env.DAIS_ORCHESTRATOR_NGINX_PREFIX ?? join(home, 'nginx'),
      statusPort: env.DAIS_ORCHESTRATOR_STATUS_PORT,
      stopOnExit: env.DAIS_NGINX_STOP_ON_EXIT,
    },
    keys: { dir: env.DAIS_KEYS_DIR ?? join(env.DAIS_STATE_DIR, 'keys') },
    logLevel: env.DAIS_LOG_LEVEL,
  });
}
