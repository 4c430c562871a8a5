import { isIP } from 'node:net';
import type Docker from 'dockerode';
import { DaisError } from '@dais/shared';
import { ephemeralPorts, taskFenceChains, type Firewall } from '../firewall';
import { dockerFailure } from './docker-util';
import { ensureSwarmNodeNetwork, ensureSwarmSitesNetwork } from './networks';
import { HARDENED_ENGINE_LABEL } from './service-spec';

/** The fence around Swarm site tasks on one node (config `swarm`). */
export interface SwarmFenceSettings {
  /** The sites' swarm network (its node-local half is `<name>-config`). */
  network: string;
  /** Subnet of the sites' bridge on each node. */
  subnet: string;
  /** Orchestrators on other hosts whose nginx may reach tasks on this node. */
  orchestratorAddresses: string[];
}

interface EngineInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  Labels?: string[] | null;
}

/** This node's engine, as far as Swarm hardening goes. */
export async function swarmNodeInfo(docker: Docker): Promise<{ inSwarm: boolean; manager: boolean; hardened: boolean }> {
  const info = (await docker.info().catch((error: unknown) => {
    throw dockerFailure('reach the Docker engine', error);
  })) as EngineInfo;
  return {
    inSwarm: info.Swarm?.LocalNodeState === 'active',
    manager: info.Swarm?.ControlAvailable === true,
    hardened: (info.Labels ?? []).includes(`${HARDENED_ENGINE_LABEL}=true`),
  };
}

/** Refuses a node whose engine does not give every container no-new-privileges (Swarm tasks cannot ask). */
export function assertHardenedEngine(hardened: boolean): void {
  if (hardened) return;
  throw new DaisError(
    'RUNTIME_FAILED',
    "This node's Docker engine does not give every container no-new-privileges, which Swarm services cannot ask for " +
      'themselves: run scripts/setup-docker.sh on every node and restart dockerd (docs/deployment.md).',
  );
}

/**
 * The sites' bridge on this node (and on a manager the swarm network over it) and the node's
 * packet-filter fence: only loopback and the orchestrators reach published task ports; on a
 * manager, tasks also cannot reach the other nodes' published ports (they leave NATed to this
 * node's address, which the other nodes allow when an orchestrator runs here).
 */
export async function fenceSwarmNode(docker: Docker, firewall: Firewall, settings: SwarmFenceSettings, manager: boolean): Promise<void> {
  const network = { name: settings.network, subnet: settings.subnet };
  const bridge = manager ? await ensureSwarmSitesNetwork(docker, network) : await ensureSwarmNodeNetwork(docker, network);
  const nodes = manager
    ? ((await docker.listNodes().catch((error: unknown) => {
        throw dockerFailure('list the Swarm nodes', error);
      })) as { Status?: { Addr?: string } }[])
    : [];
  const nodeAddresses = nodes
    .map((node) => node.Status?.Addr ?? '')
    .filter((address) => isIP(address) === 4 && address !== '0.0.0.0' && !address.startsWith('127.'));
  await firewall.apply(
    taskFenceChains({ bridge, allowedSources: settings.orchestratorAddresses, publishedPorts: await ephemeralPorts(), nodeAddresses }),
  );
}
