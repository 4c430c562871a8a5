import { join } from 'node:path';
import { agentCommonConfig, agentEnvFields, envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';

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
  const common = agentCommonConfig(env);
  const home = join(env.DAIS_STATE_DIR, 'orchestrator');
  return Object.freeze({
    id: env.DAIS_ORCHESTRATOR_ID,
    api: { host: env.DAIS_ORCHESTRATOR_HOST, port: env.DAIS_ORCHESTRATOR_PORT, bodyLimitBytes: common.bodyLimitBytes },
    sites: {
      host: env.DAIS_ORCHESTRATOR_SITES_HOST,
      port: env.DAIS_ORCHESTRATOR_SITES_PORT,
      dataRoot: env.DAIS_ORCHESTRATOR_DATA_ROOT ?? join(home, 'data'),
    },
    nginx: {
      ...common.nginx,
      prefix: env.DAIS_ORCHESTRATOR_NGINX_PREFIX ?? join(home, 'nginx'),
      statusPort: env.DAIS_ORCHESTRATOR_STATUS_PORT,
    },
    keys: common.keys,
    logLevel: common.logLevel,
  });
}
