import type Docker from 'dockerode';
import type { DindNode } from './dind-node';

/** Where setup runs the local registry (scripts/setup-registry.sh): port 5000 of the docker0 address. */
export const REGISTRY_PORT = 5000;

/** The host's address on Docker's default bridge (docker0): what a container on this host reaches the host at. */
export async function bridgeAddress(docker: Docker): Promise<string> {
  const bridge = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
  const address = bridge.IPAM?.Config?.find((entry) => entry.Gateway)?.Gateway;
  if (!address) throw new Error('the Docker engine has no default bridge (docker0) with a gateway address');
  return address;
}

/** The registry setup runs, after checking it answers (else the test says to run setup). */
export async function localRegistry(docker: Docker): Promise<string> {
  const registry = `${await bridgeAddress(docker)}:${REGISTRY_PORT}`;
  const answer = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(3_000) }).catch((error: unknown) => error);
  if (!(answer instanceof Response) || !answer.ok) {
    throw new Error(
      `no image registry answers at http://${registry}/v2/ (${String(answer)}): run npm run setup (scripts/setup-registry.sh)`,
    );
  }
  return registry;
}

/** Removes an image's manifest from the registry (its layers go at the registry's next garbage collection). */
export async function deleteFromRegistry(registry: string, repository: string, digest: string): Promise<void> {
  await fetch(`http://${registry}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
}

interface SwarmInfo {
  Swarm?: { LocalNodeState?: string; NodeAddr?: string; NodeID?: string };
}

/**
 * Makes this engine a Swarm manager other containers on this host can join: it advertises its
 * docker0 address (the one-node test Swarm's 127.0.0.1 is unreachable from a container). True if it
 * was not a Swarm before, so the test leaves it after.
 */
export async function joinReachableSwarm(docker: Docker, address: string): Promise<boolean> {
  const info = (await docker.info()) as SwarmInfo;
  if (info.Swarm?.LocalNodeState === 'active') {
    if (info.Swarm.NodeAddr !== address) {
      throw new Error(
        `this engine is already in a Swarm advertised at ${info.Swarm.NodeAddr ?? '?'} (another test?), which a node in a container cannot reach; run this file when it has left`,
      );
    }
    return false;
  }
  await docker.swarmInit({ ListenAddr: `${address}:2377`, AdvertiseAddr: address });
  return true;
}

interface NodeInfo {
  ID: string;
  Version: { Index: number };
  Spec: Record<string, unknown> & { Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
}

/** Joins the node as a worker and labels it; resolves its Swarm node id once the manager sees it ready. */
export async function joinAsWorker(
  docker: Docker,
  node: DindNode,
  managerAddress: string,
  labels: Record<string, string>,
): Promise<string> {
  const swarm = (await docker.swarmInspect()) as { JoinTokens: { Worker: string } };
  await node.engine.swarmJoin({
    ListenAddr: `${node.address}:2377`,
    AdvertiseAddr: node.address,
    RemoteAddrs: [`${managerAddress}:2377`],
    JoinToken: swarm.JoinTokens.Worker,
  });
  const nodeId = ((await node.engine.info()) as SwarmInfo).Swarm?.NodeID;
  if (!nodeId) throw new Error('the node joined but reports no Swarm node id');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = (await docker.getNode(nodeId).inspect()) as NodeInfo;
    if (info.Status?.State === 'ready') {
      await docker.getNode(nodeId).update({ version: info.Version.Index, ...info.Spec, Labels: { ...info.Spec.Labels, ...labels } });
      return nodeId;
    }
    if (Date.now() > deadline) throw new Error(`the node ${nodeId} did not become ready within 30 s (${info.Status?.State ?? '?'})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Takes the node out of the Swarm: it leaves, and the manager forgets it. Each step runs even if another failed. */
export async function removeWorker(docker: Docker, node: DindNode, nodeId: string | null): Promise<void> {
  // A join that failed halfway may have left the node known to the manager without the test knowing its id.
  const info = (await node.engine.info().catch(() => null)) as SwarmInfo | null;
  const id = nodeId ?? info?.Swarm?.NodeID ?? null;
  await node.engine.swarmLeave({ force: true }).catch(() => undefined);
  if (id)
    await docker
      .getNode(id)
      .remove({ force: true })
      .catch(() => undefined);
}
