import { envField } from '@dais/shared';
import { z } from 'zod';

const networkName = () => z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be a Docker network name');

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
    },
  };
}
