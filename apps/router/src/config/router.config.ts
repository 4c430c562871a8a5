import { join } from 'node:path';
import { agentCommonConfig, agentEnvFields, envField, parseEnv, withEnvFile, type EnvSource } from '@dais/shared';
import { z } from 'zod';
import { isDnsServerAddress, type AcmePolicyConfig } from '../certificates/policy/policy-config';

const upstreamList = envField
  .commaList()
  .pipe(
    z
      .array(z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'each orchestrator must be ip:port'))
      .min(1, 'list at least one orchestrator'),
  );

/** Let's Encrypt's production directory; staging is `https://acme-staging-v02.api.letsencrypt.org/directory`. */
export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';

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
  DAIS_ROUTER_HTTPS_PORT: envField.port().default(8443),
  DAIS_ACME_ENABLED: envField.boolean().default(true),
  DAIS_ACME_DIRECTORY_URL: envField.httpUrl().default(LETS_ENCRYPT_PRODUCTION),
  DAIS_ACME_EMAIL: z.email('must be an email address').optional(),
  DAIS_ACME_CA_CERT: envField.absolutePath().optional(),
  DAIS_ACME_RENEW_DAYS: envField.positiveInt().default(30),
  DAIS_ACME_RENEW_INTERVAL_MS: envField.positiveInt().default(24 * 60 * 60 * 1000),
  DAIS_ACME_RETRY_MIN_MS: envField.positiveInt().default(60 * 1000),
  DAIS_ACME_RETRY_MAX_MS: envField.positiveInt().default(6 * 60 * 60 * 1000),
  // Safety around ACME orders (certificates/policy/, docs/certificates-safety.md): a budget under
  // Let's Encrypt's rate limits (defaults leave a margin) and the reachability pre-flight.
  DAIS_ACME_CERTS_PER_DOMAIN_WEEK: envField.positiveInt().default(40),
  DAIS_ACME_DUPLICATE_CERTS_PER_WEEK: envField.positiveInt().default(4),
  DAIS_ACME_FAILED_VALIDATIONS_PER_HOUR: envField.positiveInt().default(4),
  DAIS_ACME_ORDERS_PER_3H: envField.positiveInt().default(250),
  DAIS_ACME_PREFLIGHT_ENABLED: envField.boolean().default(true),
  DAIS_ACME_PREFLIGHT_DNS: z.string().refine(isDnsServerAddress, 'must be ip, ip:port or [ipv6]:port').optional(),
  DAIS_ACME_PREFLIGHT_PRIVATE_ADDRESSES: envField.boolean().default(false),
  DAIS_ACME_HTTP_PORT: envField.port().default(80),
  DAIS_ROUTER_PUBLIC_HOSTNAME: envField.hostname().optional(),
});

/** How the router gets certificates (see docs/certificates.md). */
export interface AcmeConfig {
  /** False: no order is ever placed (certificates already on disk are still served). */
  enabled: boolean;
  directoryUrl: string;
  email: string | undefined;
  /** PEM file of a CA to trust for the ACME server itself (a private server such as Pebble). */
  caCertFile: string | undefined;
  /** Folder of the account key, the certificates and the HTTP-01 answers. */
  dir: string;
  renewDays: number;
  renewIntervalMs: number;
  /** First retry delay after a failure; it doubles per failure up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
}

/** Everything the router needs to know at startup, parsed once and frozen. */
export interface RouterConfig {
  id: string;
  api: { host: string; port: number; bodyLimitBytes: number };
  edge: { host: string; port: number; httpsPort: number; orchestrators: readonly string[] };
  stateRoot: string;
  acme: AcmeConfig;
  nginx: { binary: string; prefix: string; statusPort: number; stopOnExit: boolean };
  keys: { dir: string };
  /** The append-only file of accepted request nonces, so replays stay refused across restarts. */
  nonceFile: string;
  logLevel: string;
  /** Safety around ACME orders: rate budget and reachability pre-flight. */
  acmePolicy: AcmePolicyConfig;
}

/** Reads the router's configuration; throws a ConfigError listing every bad key. */
export function loadRouterConfig(source: EnvSource = process.env): RouterConfig {
  const env = parseEnv(schema, withEnvFile(source));
  const common = agentCommonConfig(env);
  const home = join(env.DAIS_STATE_DIR, 'router');
  return Object.freeze({
    id: env.DAIS_ROUTER_ID,
    api: { host: env.DAIS_ROUTER_HOST, port: env.DAIS_ROUTER_PORT, bodyLimitBytes: common.bodyLimitBytes },
    edge: {
      host: env.DAIS_ROUTER_HTTP_HOST,
      port: env.DAIS_ROUTER_HTTP_PORT,
      httpsPort: env.DAIS_ROUTER_HTTPS_PORT,
      orchestrators: env.DAIS_ROUTER_ORCHESTRATORS,
    },
    stateRoot: env.DAIS_ROUTER_STATE_ROOT ?? join(home, 'state'),
    acme: {
      enabled: env.DAIS_ACME_ENABLED,
      directoryUrl: env.DAIS_ACME_DIRECTORY_URL,
      email: env.DAIS_ACME_EMAIL,
      caCertFile: env.DAIS_ACME_CA_CERT,
      dir: join(home, 'acme'),
      renewDays: env.DAIS_ACME_RENEW_DAYS,
      renewIntervalMs: env.DAIS_ACME_RENEW_INTERVAL_MS,
      retryMinMs: env.DAIS_ACME_RETRY_MIN_MS,
      retryMaxMs: env.DAIS_ACME_RETRY_MAX_MS,
    },
    nginx: { ...common.nginx, prefix: env.DAIS_ROUTER_NGINX_PREFIX ?? join(home, 'nginx'), statusPort: env.DAIS_ROUTER_STATUS_PORT },
    keys: common.keys,
    nonceFile: join(home, 'nonces.log'),
    logLevel: common.logLevel,
    acmePolicy: {
      limits: {
        certificatesPerDomainWeek: env.DAIS_ACME_CERTS_PER_DOMAIN_WEEK,
        duplicateCertificatesWeek: env.DAIS_ACME_DUPLICATE_CERTS_PER_WEEK,
        failedValidationsPerHour: env.DAIS_ACME_FAILED_VALIDATIONS_PER_HOUR,
        ordersPer3Hours: env.DAIS_ACME_ORDERS_PER_3H,
      },
      budgetFile: join(env.DAIS_ROUTER_STATE_ROOT ?? join(home, 'state'), 'acme-policy', 'issuance-budget.json'),
      preflight: {
        enabled: env.DAIS_ACME_PREFLIGHT_ENABLED,
        dnsServer: env.DAIS_ACME_PREFLIGHT_DNS ?? null,
        httpPort: env.DAIS_ACME_HTTP_PORT,
        publicHostname: env.DAIS_ROUTER_PUBLIC_HOSTNAME ?? null,
        allowPrivateAddresses: env.DAIS_ACME_PREFLIGHT_PRIVATE_ADDRESSES,
      },
    },
  });
}
