import Docker from 'dockerode';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** Makes this engine a single-node Swarm manager; true if it was not one before (so the test leaves it after). */
export async function joinTestSwarm(): Promise<boolean> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState === 'active') return false;
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  return true;
}

/** Leaves the Swarm again (its services go with it). */
export async function leaveTestSwarm(): Promise<void> {
  await docker.swarmLeave({ force: true });
}
