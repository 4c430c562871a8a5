import { join } from 'node:path';
import { agentCommonConfig, agentEnvFields, envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';

const upstreamList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'each orchestrator must be ip:port'))
      .min(1, 'list at least one orchestrator'),
  );

const schema = z.object({
  ...agentEnvFields,
  DAIS_ROUTER_ID: envField.componentId().default('router'),
  DAIS_ROUTER_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ROUTER_PORT: envField.port().default(7200),
  DAIS_ROUTER_HTTP_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_ROUTER_HTTP_PORT: envField.port().default(8080),
  DAIS_ROUTER_STATUS_PORT: envField.port().default(7202),
  DAIS_ROUTER_ORCHESTRATORS: upstreamList.default(['127.0.0.1:7101']),
  DAIS_ROUTER_STATE_ROOT: envField.absolutePath().optional(),
  DAIS_ROUTER_NGINX_PREFIX: envField.absolutePath().optional(),
});

/** Everything the router needs to know at startup, parsed once and frozen. */
export interface RouterConfig {
  id: string;
  api: { host: string; port: number; bodyLimitBytes: number };
  edge: { host: string; port: number; orchestrators: readonly string[] };
  stateRoot: string;
  nginx: { binary: string; prefix: string; statusPort: number; stopOnExit: boolean };
  keys: { dir: string };
  logLevel: string;
}

/** Reads the router's configuration; throws a ConfigError listing every bad key. */
export function loadRouterConfig(source: EnvSource = process.env): RouterConfig {
  const env = parseEnv(schema, withEnvFile(source));
  const common = agentCommonConfig(env);
  const home = join(env.DAIS_STATE_DIR, 'router');
  return Object.freeze({
    id: env.DAIS_ROUTER_ID,
    api: { host: env.DAIS_ROUTER_HOST, port: env.DAIS_ROUTER_PORT, bodyLimitBytes: common.bodyLimitBytes },
    edge: { host: env.DAIS_ROUTER_HTTP_HOST, port: env.DAIS_ROUTER_HTTP_PORT, orchestrators: env.DAIS_ROUTER_ORCHESTRATORS },
    stateRoot: env.DAIS_ROUTER_STATE_ROOT ?? join(home, 'state'),
    nginx: { ...common.nginx, prefix: env.DAIS_ROUTER_NGINX_PREFIX ?? join(home, 'nginx'), statusPort: env.DAIS_ROUTER_STATUS_PORT },
    keys: common.keys,
    logLevel: common.logLevel,
  });
}
