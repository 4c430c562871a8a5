import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildTestImage } from '../../../../test/support/test-images';
import { tempDir } from '../../../../test/support/temp-dir';
import { ContainerRuntime } from '../../src/docker/container-runtime';
import { SwarmRuntime } from '../../src/docker/swarm-runtime';
import type { Firewall } from '../../src/firewall';
import type { SiteProgram } from '../../src/sites/memory-runtime';
import type { RuntimeSite, SiteRuntimeDriver } from '../../src/sites/runtime-driver';
import type { RuntimeDriverSubject } from '../../src/sites/runtime-driver.contract';
import { RUN_SH_COMMAND } from '../../src/sites/to-runtime-site';
import { TEST_IMAGE } from './orchestrator-harness';

/**
 * The packet-filter fence is the firewall's business (firewall-rules.spec.ts, the security tests),
 * not the driver contract's: leaving it out keeps these runs from adding chains for short-lived networks.
 */
const noFirewall: Firewall = { apply: () => Promise.resolve() };

/** The sites' swarm network every Swarm test shares (the orchestrator's defaults); it leaves with the test Swarm. */
const SWARM_NETWORK = { network: 'dais-swarm', subnet: '172.30.1.0/24' };

const SERVE = 'exec httpd -f -p "$PORT" -h /site/public\n';

/**
 * The Docker (`docker`) or Swarm (`swarm`) driver on this host's real engine, for the runtime
 * contract. Everything it makes carries a random prefix, and {@link RuntimeDriverSubject.dispose}
 * removes it: containers, services, the docker network, images and site folders.
 */
export async function engineDriverSubject(kind: 'docker' | 'swarm'): Promise<RuntimeDriverSubject> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const network = `${prefix}-sites`;
  const dir = await tempDir(`runtime-contract-${kind}`);
  const owners: string[] = [];
  const images: string[] = [];

  const siteDir = (siteId: number) => join(dir.path, String(siteId));
  /** `replace: false` keeps a run.sh already there (a program set before stays set). */
  const writeRunScript = async (siteId: number, script: string, replace = true) => {
    const path = join(siteDir(siteId), 'run.sh');
    const written = await writeFile(path, `#!/bin/sh\n${script}`, { flag: replace ? 'w' : 'wx' }).then(
      () => true,
      (error: unknown) => {
        if (replace || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (written) await chmod(path, 0o755);
  };

  return {
    traits: kind === 'docker' ? { stoppedSite: 'removed', replicas: 'one' } : { stoppedSite: 'scaled-to-zero', replicas: 'as-asked' },

    async newDriver(): Promise<SiteRuntimeDriver> {
      const namePrefix = `${prefix}-${owners.length}-`;
      owners.push(namePrefix);
      const driver =
        kind === 'docker'
          ? new ContainerRuntime(docker, { namePrefix, network }, noFirewall)
          : new SwarmRuntime(
              docker,
              { namePrefix, network: SWARM_NETWORK.network },
              { ...SWARM_NETWORK, orchestratorAddresses: [] },
              noFirewall,
            );
      await driver.prepare();
      return driver;
    },

    async site(siteId: number, changes: Partial<RuntimeSite> = {}): Promise<RuntimeSite> {
      await mkdir(join(siteDir(siteId), 'public'), { recursive: true, mode: 0o755 });
      await chmod(siteDir(siteId), 0o755);
      await writeFile(join(siteDir(siteId), 'public', 'index.html'), `site ${siteId}`);
      await writeRunScript(siteId, SERVE, false);
      return {
        siteId,
        name: `site${siteId}`,
        image: TEST_IMAGE,
        command: RUN_SH_COMMAND,
        env: { PORT: '8080', HOST: '0.0.0.0' },
        limits: { memoryMb: 64, cpus: 0.5, pids: 64 },
        replicas: 1,
        running: true,
        siteDir: siteDir(siteId),
        uid: 200_000 + siteId,
        ...changes,
      };
    },

    setProgram(site: RuntimeSite, program: SiteProgram): Promise<void> {
      return writeRunScript(
        site.siteId,
        program.kind === 'serves' ? SERVE : `echo '${program.output.replace(/'/g, '')}' >&2\nexit ${program.exitCode}\n`,
      );
    },

    async imageWithoutCommand(): Promise<string> {
      const tag = `${prefix}-no-command:1`;
      images.push(await buildTestImage(docker, tag, { Dockerfile: `FROM ${TEST_IMAGE}\nCMD []\n` }));
      return tag;
    },

    async ownImage() {
      const reference = `${prefix}-own:1`;
      await docker.getImage(TEST_IMAGE).tag({ repo: `${prefix}-own`, tag: '1' });
      images.push(reference);
      // A label makes another image with the same command, as a rebuild would.
      const repoint = async () => {
        await buildTestImage(docker, reference, { Dockerfile: `FROM ${TEST_IMAGE}\nLABEL dais.test-rebuild=${prefix}\n` });
      };
      return { reference, repoint };
    },

    async dispose(): Promise<void> {
      const labels = owners.map((owner) => `dais.managed-by=${owner}`);
      for (const label of labels) {
        for (const service of await docker.listServices({ filters: { label: [label] } }).catch(() => [])) {
          await docker
            .getService(service.ID)
            .remove()
            .catch(() => undefined);
        }
        for (const container of await docker.listContainers({ all: true, filters: { label: [label] } })) {
          await docker
            .getContainer(container.Id)
            .remove({ force: true })
            .catch(() => undefined);
        }
      }
      for (const image of images) {
        await docker
          .getImage(image)
          .remove({ force: true })
          .catch(() => undefined);
      }
      if (kind === 'docker') {
        await docker
          .getNetwork(network)
          .remove()
          .catch(() => undefined);
      }
      await dir.remove();
    },
  };
}
