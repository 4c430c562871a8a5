import { join } from 'node:path';
import { z } from 'zod';
import { envField } from './env-fields';

/** Settings every nginx-driving agent (orchestrator, router) shares. */
export const agentEnvFields = {
  DAIS_STATE_DIR: envField.absolutePath().default('/var/lib/dais'),
  DAIS_KEYS_DIR: envField.absolutePath().optional(),
  DAIS_NGINX_BINARY: z.string().default('nginx'),
  DAIS_NGINX_STOP_ON_EXIT: envField.boolean().default(true),
  DAIS_BODY_LIMIT_BYTES: envField.positiveInt().default(1024 * 1024),
  DAIS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** The parsed form of {@link agentEnvFields}. */
type AgentEnv = z.output<z.ZodObject<typeof agentEnvFields>>;

/** The part of an agent's config that comes from {@link agentEnvFields}. */
export interface AgentCommonConfig {
  keys: { dir: string };
  nginx: { binary: string; stopOnExit: boolean };
  bodyLimitBytes: number;
  logLevel: string;
}

/** Maps the shared agent settings to config, with the keys folder defaulting inside the state folder. */
export function agentCommonConfig(env: AgentEnv): AgentCommonConfig {
  return {
    keys: { dir: env.DAIS_KEYS_DIR ?? join(env.DAIS_STATE_DIR, 'keys') },
    nginx: { binary: env.DAIS_NGINX_BINARY, stopOnExit: env.DAIS_NGINX_STOP_ON_EXIT },
    bodyLimitBytes: env.DAIS_BODY_LIMIT_BYTES,
    logLevel: env.DAIS_LOG_LEVEL,
  };
}
