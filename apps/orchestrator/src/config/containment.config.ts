import { envField } from '@dais/shared';
import { z } from 'zod';

const networkName = () => z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be a Docker network name');

/** A Swarm placement constraint on a node attribute or label: `node.labels.x == y`, `node.role != manager`. */
const SWARM_CONSTRAINT =
  /^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)|engine\.labels\.[A-Za-z0-9_.-]+)\s*(==|!=)\s*[A-Za-z0-9_.-]+$/;

const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const REGISTRY_ADDRESS = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);

/**
 * A registry host as Docker reads the first component of an image name: only with a dot, a port or
 * `localhost` is it a registry (`myregistry/x` would be a Docker Hub account).
 */
function isRegistryAddress(value: string): boolean {
  const match = REGISTRY_ADDRESS.exec(value);
  if (!match) return false;
  const port = match[1];
  if (port !== undefined) return Number(port) >= 1 && Number(port) <= 65_535;
  return value.includes('.') || value.startsWith('[') || value === 'localhost';
}

/**
 * Settings of the fences around image builds and Swarm tasks (docs/images.md "Contained builds",
 * docs/architecture.md "Dynamic sites"), part of the orchestrator's environment.
 */
export const containmentEnvFields = {
  DAIS_BUILD_CONCURRENCY: envField.positiveInt().default(2),
  DAIS_BUILD_MEMORY_MB: envField.positiveInt().default(1024),
  DAIS_BUILD_CPUS: z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').default(1),
  DAIS_BUILD_PIDS: envField.positiveInt().default(512),
  DAIS_BUILD_TIMEOUT_MS: envField.positiveInt().default(30 * 60_000),
  DAIS_BUILD_NETWORK: networkName().default('dais-builds'),
  // Private and shared address space and link-local (cloud metadata): where a platform's own
  // services usually live. This host's own addresses are always out of reach. `none` blocks no more.
  DAIS_BUILD_BLOCKED_NETWORKS: z
    .string()
    .transform((value) => (value.trim() === 'none' ? '' : value))
    .pipe(envField.addressList())
    .refine((list) => list.every((item) => !item.includes(':')), 'must be IPv4 networks (builds have no IPv6)')
    .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16']),
  DAIS_BUILD_BUSYBOX: envField.absolutePath().default('/bin/busybox'),
  DAIS_BUILD_INIT: envField.absolutePath().default('/usr/bin/docker-init'),
  DAIS_SWARM_NETWORK: networkName().default('dais-swarm'),
  DAIS_SWARM_SUBNET: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 network such as 172.30.1.0/24')
    .default('172.30.1.0/24'),
  DAIS_SWARM_ORCHESTRATOR_ADDRESSES: envField.addressList().default([]),
  DAIS_SWARM_REGISTRY: z
    .string()
    .trim()
    .transform((value) => (value === '' ? null : value))
    .refine((value) => value === null || isRegistryAddress(value), {
      message: 'must be a registry address host:port (or a host name with a dot, or localhost), such as 172.17.0.1:5000',
    })
    .default(null),
  DAIS_SWARM_SITE_CONSTRAINTS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((item) => SWARM_CONSTRAINT.test(item)), {
      message: 'must be Swarm placement constraints separated by commas, such as node.labels.dais.sites==true',
    })
    .default([]),
};

type ContainmentEnv = z.output<z.ZodObject<typeof containmentEnvFields>>;

/** The parsed form of {@link containmentEnvFields}. */
export interface ContainmentConfig {
  build: {
    /** Builds running at once on this host; more wait in line. */
    concurrency: number;
    memoryMb: number;
    cpus: number;
    pids: number;
    /** A build running longer is stopped and fails. */
    timeoutMs: number;
    /** The bridge network builds run on (created if missing). */
    network: string;
    /** IPv4 networks builds may not reach. */
    blockedNetworks: string[];
    /** A static busybox and docker-init on this host (each build step is held open with them). */
    busybox: string;
    init: string;
  };
  swarm: {
    /** The swarm-scoped bridge network site tasks join (and its node-local `<name>-config`). */
    network: string;
    subnet: string;
    /** Orchestrators (other than this host) whose nginx may reach site tasks on this node. */
    orchestratorAddresses: string[];
    /** The registry every node pulls site images from (`host:port`); null on a single-node Swarm. */
    registry: string | null;
    /** Placement constraints every site task also obeys (which nodes run sites). */
    siteConstraints: string[];
  };
}

/** Maps the containment settings of an already parsed environment. */
export function containmentConfig(env: ContainmentEnv): ContainmentConfig {
  return {
    build: {
      concurrency: env.DAIS_BUILD_CONCURRENCY,
      memoryMb: env.DAIS_BUILD_MEMORY_MB,
      cpus: env.DAIS_BUILD_CPUS,
      pids: env.DAIS_BUILD_PIDS,
      timeoutMs: env.DAIS_BUILD_TIMEOUT_MS,
      network: env.DAIS_BUILD_NETWORK,
      blockedNetworks: env.DAIS_BUILD_BLOCKED_NETWORKS,
      busybox: env.DAIS_BUILD_BUSYBOX,
      init: env.DAIS_BUILD_INIT,
    },
    swarm: {
      network: env.DAIS_SWARM_NETWORK,
      subnet: env.DAIS_SWARM_SUBNET,
      orchestratorAddresses: env.DAIS_SWARM_ORCHESTRATOR_ADDRESSES,
      registry: env.DAIS_SWARM_REGISTRY,
      siteConstraints: env.DAIS_SWARM_SITE_CONSTRAINTS,
    },
  };
}
