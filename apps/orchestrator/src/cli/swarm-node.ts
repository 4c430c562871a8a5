import { loadOrchestratorConfig } from '../config/orchestrator.config';
import { createDockerClient } from '../docker/docker-client';
import { assertHardenedEngine, fenceSwarmNode, swarmNodeInfo } from '../docker/swarm-fence';
import { IptablesFirewall } from '../firewall';

/**
 * `npm run swarm-node` on every node of a Dais Swarm (docs/deployment.md): checks the engine
 * gives containers no-new-privileges, makes the sites' node-local network and writes this node's
 * packet-filter fence. Orchestrators do the same for their own node when they start; nodes
 * without one need this at boot (iptables rules do not survive a reboot) and after a change of
 * DAIS_SWARM_ORCHESTRATOR_ADDRESSES. Safe to run again.
 */
async function main(): Promise<void> {
  const config = loadOrchestratorConfig();
  const docker = createDockerClient(config.runtime.dockerSocket);
  const node = await swarmNodeInfo(docker);
  assertHardenedEngine(node.hardened);
  if (!node.inSwarm) throw new Error('this Docker engine is not part of a Swarm yet: `docker swarm join` first');
  await fenceSwarmNode(docker, new IptablesFirewall(), config.swarm, node.manager);
  const allowed = config.swarm.orchestratorAddresses.length > 0 ? config.swarm.orchestratorAddresses.join(', ') : 'none besides this host';
  process.stdout.write(`✓ engine gives every container no-new-privileges\n`);
  process.stdout.write(`✓ sites network ${config.swarm.network} (${config.swarm.subnet}, containers isolated from each other)\n`);
  process.stdout.write(`✓ published site ports reachable only from loopback and the orchestrators (${allowed})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`swarm-node failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
