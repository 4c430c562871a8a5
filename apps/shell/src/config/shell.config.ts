import { join } from 'node:path';
import { envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';

const schema = z.object({
  DAIS_STATE_DIR: envField.absolutePath().default('/var/lib/dais'),
  DAIS_KEYS_DIR: envField.absolutePath().optional(),
  DAIS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DAIS_SHELL_HOST: envField.listenHost().default('127.0.0.1'),
  DAIS_SHELL_PORT: envField.port().default(2222),
  DAIS_SHELL_HOST_KEYS_DIR: envField.absolutePath().optional(),
  /** What `npm start` prints and the menu shows as the address to connect to. */
  DAIS_SHELL_PUBLIC_HOST: z.string().max(253).default('127.0.0.1'),
  DAIS_SHELL_MANAGER_URL: envField.httpUrl().default('http://127.0.0.1:7000'),
  DAIS_SHELL_ORCHESTRATOR_URL: envField.httpUrl().default('http://127.0.0.1:7100'),
  DAIS_SHELL_ORCHESTRATOR_ID: envField.componentId().default('orchestrator'),
  DAIS_SHELL_CLIENT_CERT: envField.absolutePath().optional(),
  DAIS_SHELL_CLIENT_KEY: envField.absolutePath().optional(),
  DAIS_SHELL_CA_CERT: envField.absolutePath().optional(),
  DAIS_SHELL_PEER_TIMEOUT_MS: envField.positiveInt().default(15_000),
  /** First delay after a failed sign-in; doubles with each further failure of the same address or name. */
  DAIS_SHELL_FAILURE_DELAY_MS: envField.positiveInt().default(500),
  DAIS_SHELL_MAX_FAILURE_DELAY_MS: envField.positiveInt().default(8_000),
  /** How long a person may sit at the site menu or a connection may stay unauthenticated. */
  DAIS_SHELL_IDLE_MENU_MS: envField.positiveInt().default(120_000),
});

/** Paths of the PEM files the shell's outbound TLS uses; each is optional. */
export interface ShellTlsFiles {
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  caCert?: string | undefined;
}

/** Everything the shell needs to know at startup, parsed once and frozen. */
export interface ShellConfig {
  listen: { host: string; port: number; publicHost: string };
  hostKeysDir: string;
  keys: { dir: string };
  manager: { url: string };
  orchestrator: { url: string; id: string };
  tls: ShellTlsFiles;
  peerTimeoutMs: number;
  throttle: { baseDelayMs: number; maxDelayMs: number };
  menuTimeoutMs: number;
  logLevel: string;
}

/** Reads the shell's configuration; throws a ConfigError listing every bad key. */
export function loadShellConfig(source: EnvSource = process.env): ShellConfig {
  const env = parseEnv(schema, withEnvFile(source));
  return Object.freeze({
    listen: { host: env.DAIS_SHELL_HOST, port: env.DAIS_SHELL_PORT, publicHost: env.DAIS_SHELL_PUBLIC_HOST },
    hostKeysDir: env.DAIS_SHELL_HOST_KEYS_DIR ?? join(env.DAIS_STATE_DIR, 'shell', 'host-keys'),
    keys: { dir: env.DAIS_KEYS_DIR ?? join(env.DAIS_STATE_DIR, 'keys') },
    manager: { url: env.DAIS_SHELL_MANAGER_URL },
    orchestrator: { url: env.DAIS_SHELL_ORCHESTRATOR_URL, id: env.DAIS_SHELL_ORCHESTRATOR_ID },
    tls: { clientCert: env.DAIS_SHELL_CLIENT_CERT, clientKey: env.DAIS_SHELL_CLIENT_KEY, caCert: env.DAIS_SHELL_CA_CERT },
    peerTimeoutMs: env.DAIS_SHELL_PEER_TIMEOUT_MS,
    throttle: { baseDelayMs: env.DAIS_SHELL_FAILURE_DELAY_MS, maxDelayMs: env.DAIS_SHELL_MAX_FAILURE_DELAY_MS },
    menuTimeoutMs: env.DAIS_SHELL_IDLE_MENU_MS,
    logLevel: env.DAIS_LOG_LEVEL,
  });
}
