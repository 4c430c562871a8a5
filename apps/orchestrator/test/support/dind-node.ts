import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildTestImage } from '../../../../test/support/test-images';

/** The project's own Debian base (scripts/setup-images.sh): the node image adds Debian's Docker engine to it. */
const BASE_IMAGE = 'dais/debian:bookworm';

/**
 * The node's engine: vfs (overlay inside a container fails here), and the two settings every Dais
 * Swarm node has (scripts/setup-docker.sh): no-new-privileges for every container, and the label
 * that tells the Swarm so (site tasks are only placed on such nodes).
 */
const DAEMON_JSON = JSON.stringify({
  'storage-driver': 'vfs',
  'no-new-privileges': true,
  labels: ['dais.no-new-privileges=true'],
});

const DOCKERFILE = `FROM ${BASE_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*
COPY daemon.json /etc/docker/daemon.json
ENTRYPOINT ["dockerd"]
`;

/** Tagged by what it is built from: built once per machine, reused by every later run. */
export const NODE_IMAGE = `dais-test/swarm-node:${createHash('sha256').update(DOCKERFILE).update(DAEMON_JSON).digest('hex').slice(0, 12)}`;

/** Where in the node the host reaches its engine (a folder of the host bind-mounted there). */
const SOCKET_DIR_IN_NODE = '/run/dais-node';

/** Builds the node image unless this machine has it; resolves how long that took (0 when reused). */
export async function ensureNodeImage(docker: Docker): Promise<number> {
  const exists = await docker
    .getImage(NODE_IMAGE)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (exists) return 0;
  const started = Date.now();
  await buildTestImage(docker, NODE_IMAGE, { Dockerfile: DOCKERFILE, 'daemon.json': DAEMON_JSON }, { 'dais.test-image': 'swarm-node' });
  return Date.now() - started;
}

export interface DindNodeOptions {
  /** Container name and `dais.managed-by` label: the run's scoped prefix, so the leftovers check sees it. */
  name: string;
  /** A host folder for the node's engine socket (removed with the node). */
  socketDir: string;
  /** Registries the node's engine may use over plain HTTP (`host:port`). */
  insecureRegistries: string[];
  /** Host folders the node's tasks bind-mount, shared at the same path (the sites folder). */
  sharedFolders: string[];
}

/**
 * A second Docker engine on this machine, in a container (docs/swarm.md, ENVIRONMENT.md "A second
 * Swarm node"): no --privileged (refused here), two capabilities, the host's cgroup folder, vfs.
 */
export class DindNode {
  private constructor(
    readonly container: Docker.Container,
    /** The node's own engine. */
    readonly engine: Docker,
    /** The node container's address on the host's bridge (its Swarm address). */
    readonly address: string,
    private readonly socketDir: string,
  ) {}

  static async start(docker: Docker, options: DindNodeOptions): Promise<DindNode> {
    await mkdir(options.socketDir, { recursive: true });
    const container = await docker.createContainer({
      name: options.name,
      Image: NODE_IMAGE,
      Cmd: [
        `--host=unix://${SOCKET_DIR_IN_NODE}/docker.sock`,
        ...options.insecureRegistries.map((registry) => `--insecure-registry=${registry}`),
      ],
      Labels: { 'dais.managed-by': options.name },
      HostConfig: {
        CapAdd: ['SYS_ADMIN', 'NET_ADMIN'],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        Binds: [
          '/sys/fs/cgroup:/sys/fs/cgroup:rw',
          `${options.socketDir}:${SOCKET_DIR_IN_NODE}`,
          ...options.sharedFolders.map((folder) => `${folder}:${folder}`),
        ],
      },
    });
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw error;
    }
    const info = await container.inspect();
    // On the default bridge: the address other containers and this host reach the node at.
    const address = info.NetworkSettings.Networks.bridge?.IPAddress;
    if (!address) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw new Error('the node container has no address on the default bridge');
    }
    const engine = new Docker({ socketPath: join(options.socketDir, 'docker.sock') });
    return new DindNode(container, engine, address, options.socketDir);
  }

  /** Waits until the node's engine answers (polls; the engine starts in a few seconds). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        await this.engine.ping();
        return;
      } catch (error) {
        lastError = error;
        const state = (await this.container.inspect()).State;
        if (!state.Running) throw new Error(`the node's engine exited (${state.ExitCode}): ${await this.logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`the node's engine did not answer within ${timeoutMs} ms (${String(lastError)}): ${await this.logs()}`);
  }

  async logs(): Promise<string> {
    const output = await this.container.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.from(''));
    return output.toString('utf8').slice(-2_000);
  }

  /** Removes the container (its engine's images are in its own file system) and the socket folder. */
  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch(() => undefined);
    await rm(this.socketDir, { recursive: true, force: true });
  }
}
