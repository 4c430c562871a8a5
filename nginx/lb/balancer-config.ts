import { z } from 'zod';

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
const COMMON_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]{2,39}$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;

const ipAddress = z.string().refine((value) => IPV4.test(value) || (IPV6.test(value) && value.includes(':')), 'an IPv4 or IPv6 address');
const port = z.number().int().min(1).max(65535);
const filePath = z
  .string()
  .regex(ABSOLUTE_PATH, 'an absolute path of letters, digits, ".", "_", "-" and "/"')
  .refine((value) => !value.includes('//') && !value.split('/').some((s) => s === '.' || s === '..'), 'no "//", "." or ".." segments');

/** A source address or network (`10.0.0.7`, `10.0.0.0/24`, `fd00::/64`) the fallback identifies a caller by. */
const sourceNetwork = z.string().refine((value) => {
  const [address = '', bits, ...rest] = value.split('/');
  if (rest.length > 0 || !ipAddress.safeParse(address).success) return false;
  if (bits === undefined) return true;
  const max = address.includes(':') ? 128 : 32;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}, 'an IP address or network in CIDR notation');

/** How the balancer recognises one caller: a client certificate from the internal CA, source addresses, or both. */
const callerIdentitySchema = z
  .object({
    /** The certificate's subject must start with `CN=<this>` and verify against `tls.clientCertificateAuthority`. */
    certificateCommonName: z.string().regex(COMMON_NAME).optional(),
    /** Fallback: requests from these addresses count as this caller. Prefer certificates. */
    sourceAddresses: z.array(sourceNetwork).max(256).optional(),
  })
  .strict();

const targetSchema = z
  .object({
    /** Unique per balancer, e.g. `manager`, `orchestrator-2`; names the upstream and the logs. */
    name: z.string().regex(NAME, 'a lowercase name: letters, digits and "-", starting with a letter'),
    role: z.enum(['manager', 'orchestrator', 'router']),
    listen: z.object({ host: ipAddress, port }).strict(),
    /** Lets several targets share one listen address, chosen by Host / SNI. */
    serverName: z.string().max(253).regex(HOSTNAME).optional(),
    /** `ip:port` of each instance of the component (never a hostname: nginx would resolve it once). */
    upstreams: z
      .array(z.object({ host: ipAddress, port }).strict())
      .min(1)
      .max(64),
  })
  .strict();

/** What an admin writes (JSON) to describe one balancer; see docs/load-balancers.md. */
export const balancerConfigSchema = z
  .object({
    /** The balancer's runtime folder: pid file, logs and temp files live here. */
    prefix: filePath,
    /** Serve TLS and read client certificates; without it the listeners are plain HTTP and only source addresses identify callers. */
    tls: z.object({ certificate: filePath, key: filePath, clientCertificateAuthority: filePath }).strict().optional(),
    callers: z.object({ shell: callerIdentitySchema.optional(), manager: callerIdentitySchema.optional() }).strict(),
    targets: z.array(targetSchema).min(1).max(64),
    /** Largest request body passed on (uploads through the file API). */
    maxBodyMegabytes: z.number().int().min(1).max(10_240).default(64),
  })
  .strict()
  .superRefine((config, context) => {
    const names = config.targets.map((target) => target.name);
    if (new Set(names).size !== names.length)
      context.addIssue({ code: 'custom', message: 'target names must be unique', path: ['targets'] });
    const listeners = config.targets.map((t) => `${t.listen.host}:${t.listen.port}:${t.serverName ?? ''}`);
    if (new Set(listeners).size !== listeners.length) {
      context.addIssue({ code: 'custom', message: 'two targets share a listen address and server name', path: ['targets'] });
    }
    for (const caller of ['shell', 'manager'] as const) {
      if (config.callers[caller]?.certificateCommonName && !config.tls) {
        context.addIssue({ code: 'custom', message: `${caller}: certificate identities need "tls"`, path: ['callers', caller] });
      }
    }
  });

/** A validated balancer description. */
export type BalancerConfig = z.output<typeof balancerConfigSchema>;

/** Thrown for a balancer description that cannot be rendered safely; lists every problem. */
export class BalancerConfigError extends Error {
  override readonly name = 'BalancerConfigError';
}

/** Parses an admin's balancer description; throws {@link BalancerConfigError} with every problem listed. */
export function parseBalancerConfig(input: unknown): BalancerConfig {
  const result = balancerConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new BalancerConfigError(`invalid balancer config:\n${problems.join('\n')}`);
  }
  return result.data;
}
