import type Docker from 'dockerode';
import { DaisError } from '@dais/shared';
import { dockerFailure, isNotFound } from './docker-util';

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';
const ICC_OFF = { [ICC_OPTION]: 'false' };
const BRIDGE_NAME = 'com.docker.network.bridge.name';

interface NetworkInfo {
  Id: string;
  Options?: Record<string, string> | null;
}

/**
 * The bridge network image builds run on, created once per host: inter-container traffic off
 * (two builds cannot talk), no IPv6. Resolves the name of its bridge interface, which the build
 * fence's packet-filter rules name.
 */
export async function ensureBuildNetwork(docker: Docker, name: string): Promise<string> {
  const existing =
    (await inspectNetwork(docker, name)) ?? (await createNetwork(docker, name, { Driver: 'bridge', Options: bridgeOptions(name) }));
  return isolatedBridge(name, existing);
}

/** The bridge interface of an existing network that must keep its containers apart (the sites network setup makes). */
export async function networkBridge(docker: Docker, name: string): Promise<string> {
  const network = await inspectNetwork(docker, name);
  if (!network) throw dockerFailure(`find network ${name}`, new Error('it does not exist'));
  return isolatedBridge(name, network);
}

/** Where Swarm site tasks live, and the bridge interface they sit on on this node. */
export interface SwarmSitesNetwork {
  name: string;
  subnet: string;
}

/**
 * The network Swarm site tasks join: a swarm-scoped *bridge* built from a node-local config-only
 * network (`<name>-config`), because only a config-only network carries driver options into Swarm:
 * inter-container traffic off, so two sites' tasks on one node cannot reach each other, and a fixed
 * bridge name for the packet filter. Every node that runs sites needs the config network (the
 * orchestrator makes it on its own node; `npm run swarm-node` on the others). Resolves the bridge name.
 */
export async function ensureSwarmSitesNetwork(docker: Docker, network: SwarmSitesNetwork): Promise<string> {
  const config = await ensureSwarmNodeNetwork(docker, network);
  if (!(await inspectNetwork(docker, network.name))) {
    // A network built from a config network takes no settings of its own (not even labels).
    await createNetwork(docker, network.name, { Driver: 'bridge', Scope: 'swarm', ConfigFrom: { Network: configName(network.name) } });
  }
  return config;
}

/** The node-local half of {@link ensureSwarmSitesNetwork}, for every node of the Swarm. */
export async function ensureSwarmNodeNetwork(docker: Docker, network: SwarmSitesNetwork): Promise<string> {
  const name = configName(network.name);
  const existing =
    (await inspectNetwork(docker, name)) ??
    (await createNetwork(docker, name, {
      ConfigOnly: true,
      IPAM: { Config: [{ Subnet: network.subnet }] },
      Options: bridgeOptions(network.name),
      Labels: { 'dais.network': 'swarm-sites' },
    }));
  return isolatedBridge(name, existing);
}

function configName(name: string): string {
  return `${name}-config`;
}

/** Inter-container traffic off; the network's own name as its bridge's when it fits (15 characters). */
function bridgeOptions(name: string): Record<string, string> {
  return name.length <= 15 ? { ...ICC_OFF, [BRIDGE_NAME]: name } : { ...ICC_OFF };
}

/** The bridge of a network Dais relies on to keep containers apart; refuses one made otherwise (by hand, say). */
function isolatedBridge(name: string, network: NetworkInfo): string {
  if (network.Options?.[ICC_OPTION] !== 'false') {
    throw new DaisError(
      'RUNTIME_FAILED',
      `The Docker network ${name} lets its containers reach each other: remove it (docker network rm ${name}) and Dais makes it again with inter-container traffic off.`,
    );
  }
  return bridgeOf(network);
}

function bridgeOf(network: NetworkInfo): string {
  return network.Options?.[BRIDGE_NAME] ?? `br-${network.Id.slice(0, 12)}`;
}

async function inspectNetwork(docker: Docker, name: string): Promise<NetworkInfo | null> {
  try {
    return await docker.getNetwork(name).inspect();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw dockerFailure(`inspect network ${name}`, error);
  }
}

/** Creates a network; another process creating it at the same moment is fine (CheckDuplicate). */
async function createNetwork(docker: Docker, name: string, options: Record<string, unknown>): Promise<NetworkInfo> {
  try {
    await docker.createNetwork({ Name: name, CheckDuplicate: true, ...options });
  } catch (error) {
    if ((error as { statusCode?: number } | null)?.statusCode !== 409) throw dockerFailure(`create network ${name}`, error);
  }
  const created = await inspectNetwork(docker, name);
  if (!created) throw dockerFailure(`create network ${name}`, new Error('it vanished right after creation'));
  return created;
}
