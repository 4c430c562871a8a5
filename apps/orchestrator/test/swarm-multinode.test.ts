import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../../test/support/ports';
import { scopedPrefix } from '../../../test/support/run-scope';
import { tempDir } from '../../../test/support/temp-dir';
import { buildTestImage } from '../../../test/support/test-images';
import { siteImageTag } from '../src/docker/image-builder';
import { ensureSwarmNodeNetwork } from '../src/docker/networks';
import { registryTarget } from '../src/docker/registry-image';
import { DindNode, ensureNodeImage } from './support/dind-node';
import {
  bridgeAddress,
  deleteFromRegistry,
  joinAsWorker,
  joinReachableSwarm,
  localRegistry,
  removeWorker,
} from './support/multinode-swarm';
import { dynamicSpec, OrchestratorHarness, TEST_IMAGE } from './support/orchestrator-harness';

/**
 * A Swarm of two nodes on one machine (docs/swarm.md): this engine is the manager, a Docker-in-Docker
 * container from the project's base image is the worker. The site runs an image built here and named
 * as the image builder names per-site images (no registry has it); the orchestrator pushes it to
 * setup's local registry (DAIS_SWARM_REGISTRY) and places the site on the worker only
 * (DAIS_SWARM_SITE_CONSTRAINTS); the worker pulls the image from the registry and the orchestrator's
 * nginx on this host serves the site from the task there. The worker's own packet-filter fence
 * (`npm run swarm-node`) is not applied: the fence has its own tests (test/security).
 */
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const NODE_LABEL = 'dais.test-node';
/** The sites' swarm network (the orchestrator's default) and its subnet on each node. */
const SITES_NETWORK = { name: 'dais-swarm', subnet: '172.30.1.0/24' };

describe('a multi-node Swarm: a site on a second node, its image from the registry', () => {
  const prefix = scopedPrefix();
  let registry = '';
  let managerAddress = '';
  let createdSwarm = false;
  let h: OrchestratorHarness | undefined;
  let node: DindNode | undefined;
  let nodeId: string | null = null;
  let socketDir: Awaited<ReturnType<typeof tempDir>> | undefined;
  /** A per-site image as the image builder names it: built here, in no registry, unknown to the other node. */
  let siteImage = '';
  const timings: Record<string, number> = {};
  const fileStarted = Date.now();

  beforeAll(async () => {
    registry = await localRegistry(docker);
    managerAddress = await bridgeAddress(docker);
    timings.nodeImageBuildMs = await ensureNodeImage(docker);
    createdSwarm = await joinReachableSwarm(docker, managerAddress);
    h = await OrchestratorHarness.start('swarm', {
      DAIS_SWARM_REGISTRY: registry,
      DAIS_SWARM_SITE_CONSTRAINTS: `node.labels.${NODE_LABEL}==${prefix}`,
    });
    siteImage = await buildTestImage(docker, siteImageTag(h.prefix, 1, randomBytes(6).toString('hex')), {
      Dockerfile: `FROM ${TEST_IMAGE}\nLABEL dais.test=swarm-multinode\n`,
    });
    const sitesDir = join(h.dir.path, 'orchestrator/data/sites');
    await mkdir(sitesDir, { recursive: true });
    socketDir = await tempDir('dind-node');
    const started = Date.now();
    node = await DindNode.start(docker, {
      name: `${prefix}-node`,
      socketDir: socketDir.path,
      insecureRegistries: [registry],
      sharedFolders: [sitesDir],
    });
    await node.ready();
    timings.nodeEngineReadyMs = Date.now() - started;
    nodeId = await joinAsWorker(docker, node, managerAddress, { [NODE_LABEL]: prefix });
    // Every node has the sites' bridge (the orchestrator makes it on its own node; on others, setup or the admin).
    await ensureSwarmNodeNetwork(node.engine, SITES_NETWORK);
    timings.nodeStartAndJoinMs = Date.now() - started;
  }, 180_000);

  afterAll(async () => {
    // Each step runs even when an earlier one (or the test) failed, so nothing stays behind.
    const steps: [string, () => Promise<unknown>][] = [
      ['the harness', async () => h?.destroy()],
      ['the worker', async () => node && removeWorker(docker, node, nodeId)],
      ['the node container', async () => node?.remove()],
      ['the socket folder', async () => socketDir?.remove()],
      ['the Swarm', async () => (createdSwarm ? ((await docker.swarmLeave({ force: true })) as unknown) : undefined)],
      ['the registry copy', () => removeRegistryCopy(registry, siteImage)],
    ];
    const failures: string[] = [];
    for (const [what, step] of steps) await step().catch((error: unknown) => failures.push(`${what}: ${String(error)}`));
    timings.fileMs = Date.now() - fileStarted;
    console.info(`swarm-multinode timings: ${JSON.stringify(timings)}`);
    expect(failures).toEqual([]);
  }, 120_000);

  it('serves the site through this host’s nginx from the task on the other node, which pulled the image from the registry', async () => {
    const harness = h!;
    const answer = await harness.put(dynamicSpec(1, 'far', {}, { image: siteImage }));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const page = await harness.visitUntil('far.dais.localhost', 200, 'far is ready', 45_000).catch(async (error: unknown) => {
      // Say why: a task the node could not start (no such image) shows in the site's status.
      throw new Error(`the site was not served: ${String(error)}; status ${JSON.stringify(await harness.status(1))}`);
    });
    expect(page.body).toContain('far is ready');

    const status = await harness.statusUntil(1, (s) => s.state === 'running');
    expect(status.endpoints).toEqual([expect.stringMatching(new RegExp(`^${node!.address.replace(/\./g, '\\.')}:\\d+$`))]);
    expect(status.image).toBe(siteImage);

    const [service] = await docker.listServices({ filters: { label: [`dais.managed-by=${harness.prefix}`] } });
    const template = service?.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined;
    const serviceImage = template?.ContainerSpec?.Image ?? '';
    expect(serviceImage).toMatch(new RegExp(`^${registry.replace(/\./g, '\\.')}/${harness.prefix}1@sha256:[0-9a-f]{64}$`));
    const tasks = (await docker.listTasks({ filters: { service: [service!.ID], 'desired-state': ['running'] } })) as { NodeID?: string }[];
    expect(tasks.map((task) => task.NodeID)).toEqual([nodeId]);

    // The worker's engine has the image, and has it from the registry (its repo digest is the service's reference).
    const images = await node!.engine.listImages();
    expect(images.flatMap((image) => image.RepoDigests ?? [])).toContain(serviceImage);
    // The site's own folder is shared: what the task on the other node wrote is here.
    expect((await readFile(join(harness.siteDir(1), 'private', 'uid.txt'), 'utf8')).trim()).toBe('200001');
  }, 90_000);

  it('refuses a site with REGISTRY_UNAVAILABLE, naming the registry, when the registry does not answer', async () => {
    const [port] = await freePorts(1);
    const deadRegistry = `127.0.0.1:${port!}`;
    const other = await OrchestratorHarness.start('swarm', { DAIS_SWARM_REGISTRY: deadRegistry });
    try {
      const answer = await other.put(dynamicSpec(2, 'unpushed'));
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'REGISTRY_UNAVAILABLE' } });
      expect(JSON.stringify(answer.json)).toContain(`registry ${deadRegistry}`);
      // Nothing half-made: no service for the site.
      expect(await docker.listServices({ filters: { label: [`dais.managed-by=${other.prefix}`] } })).toEqual([]);
    } finally {
      await other.destroy();
      await docker
        .getImage(`${deadRegistry}/dais/busybox:latest`)
        .remove()
        .catch(() => undefined);
    }
  });
});

/** The copy of the site's image this run pushed: its registry tag here, and its manifest in the registry. */
async function removeRegistryCopy(registry: string, siteImage: string): Promise<void> {
  const target = registry && siteImage ? registryTarget(registry, siteImage) : null;
  if (!target) return;
  const tag = `${target.repository}:${target.tag}`;
  const image = await docker
    .getImage(tag)
    .inspect()
    .catch(() => null);
  if (!image) return;
  const path = target.repository.slice(registry.length + 1);
  for (const digest of image.RepoDigests) {
    if (digest.startsWith(`${target.repository}@`)) await deleteFromRegistry(registry, path, digest.slice(target.repository.length + 1));
  }
  await docker.getImage(tag).remove();
}
