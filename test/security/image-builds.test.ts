import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX,
  buildEvents,
  buildLog,
  builtImage,
  finalEvent,
  requireImage,
  startImageBuildServer,
  type ImageBuildServer,
} from '../../apps/orchestrator/test/support/image-build-server';
import { dynamicSpec, OrchestratorHarness } from '../../apps/orchestrator/test/support/orchestrator-harness';
import { BUILD_CAPABILITIES } from '../../apps/orchestrator/src/docker/build-step';
import { SITE_LABELS } from '../../apps/orchestrator/src/docker/docker-client';
import type { StreamedAnswer } from '../support/ndjson';
import { tempDir } from '../support/temp-dir';

/**
 * Threat: a site owner's setup commands and packages run as root inside the image build. They
 * must not take the host's memory, processes or time, nor reach anything of the platform's: its
 * databases and components (this host's addresses), other sites' containers, other builds.
 * The attacks run as real builds through the orchestrator's signed build API on the real engine.
 */
describe('image builds are contained (real Docker engine, real packet filter)', () => {
  const prefix = `dais-sec-${randomBytes(4).toString('hex')}-`;
  const limits = { DAIS_BUILD_MEMORY_MB: '64', DAIS_BUILD_PIDS: '48', DAIS_BUILD_CONCURRENCY: '2', DAIS_BUILD_TIMEOUT_MS: '60000' };
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: ImageBuildServer;
  let sites: OrchestratorHarness;
  /** The running neighbour site's container address (`ip:8080`). */
  let neighbour: string;
  /** Stands in for a platform component listening on every address of this host. */
  let canary: Server;
  let canaryPort: number;

  const request = (siteId: number, setupCommands: string[][]) => ({ siteId, base: BUSYBOX, packages: [], setupCommands });
  const connect = (target: string): string[] => {
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
    return ['sh', '-c', `nc -w 3 ${host} ${port} </dev/null && echo REACHED-${host}-${port}`];
  };
  const errorOf = (answer: StreamedAnswer) => {
    const event = finalEvent(answer);
    if (event.type !== 'error') throw new Error(`the build succeeded:\n${buildLog(answer)}`);
    return event;
  };

  /** Nothing of the failed build is left: no step container, no layer, no tag. */
  const expectNothingLeft = async (siteId: number) => {
    const filters = { label: [`${SITE_LABELS.managedBy}=${prefix}`, `${SITE_LABELS.siteId}=${siteId}`] };
    expect(await sites.docker.listContainers({ all: true, filters })).toEqual([]);
    expect(await sites.docker.listImages({ all: true, filters })).toEqual([]);
  };
  const expectNeighbourServing = async () => {
    const page = await sites.visit('neighbour.dais.localhost');
    expect(page.status).toBe(200);
    expect(page.body).toContain('neighbour is fine');
  };

  beforeAll(async () => {
    dir = await tempDir('sec-builds');
    sites = await OrchestratorHarness.start('docker');
    await requireImage(sites.docker, BUSYBOX.baseImage);
    api = await startImageBuildServer({ dir: dir.path, prefix, env: limits });
    const { mkdir, writeFile } = await import('node:fs/promises');
    expect((await sites.put(dynamicSpec(1, 'neighbour'))).status).toBe(200);
    const status = await sites.statusUntil(1, (s) => s.state === 'running');
    neighbour = status.endpoints[0]!;
    await mkdir(`${sites.siteDir(1)}/public`, { recursive: true });
    await writeFile(`${sites.siteDir(1)}/public/index.html`, 'neighbour is fine');
    canary = createServer((socket) => socket.end('platform secret\n'));
    await new Promise<void>((resolve) => canary.listen(0, '0.0.0.0', resolve));
    canaryPort = (canary.address() as { port: number }).port;
  });

  afterAll(async () => {
    await api.close();
    canary.close();
    await sites.destroy();
    const filters = { label: [`${SITE_LABELS.managedBy}=${prefix}`] };
    for (const image of await sites.docker.listImages({ filters }))
      await sites.docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await dir.remove();
  });

  it('a setup command that allocates far past the memory limit fails with the limit, leaving nothing', async () => {
    const answer = await api.build(
      2,
      request(2, [
        ['touch', '/first-layer'],
        ['sh', '-c', 'head -c 400m /dev/zero | tail > /dev/null; echo survived'],
      ]),
    );
    const error = errorOf(answer);
    expect(error).toMatchObject({ code: 'IMAGE_BUILD_FAILED' });
    expect(error.message).toMatch(/step 2\/2 ran out of memory: builds may use 64 MB/);
    await expectNothingLeft(2);
    await expectNeighbourServing();
  });

  it('a fork bomb fails with the process limit, even though its shell exits 0, while the neighbour keeps serving', async () => {
    const pending = api.build(3, request(3, [['sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 2; exit 0']]));
    await expectNeighbourServing();
    const error = errorOf(await pending);
    expect(error.message).toMatch(/step 1\/1 reached the limit of 48 processes a build may run at once/);
    await expectNothingLeft(3);
    await expectNeighbourServing();
  });

  it("cannot reach the manager's PostgreSQL, a component on any of this host's addresses, or another site's container", async () => {
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .flatMap((nic) => (nic && nic.family === 'IPv4' ? [nic.address] : []));
    const targets = [
      '172.30.0.1:5432', // PostgreSQL for sites, on the sites network's gateway
      '127.0.0.1:5432',
      ...hostAddresses.map((address) => `${address}:${canaryPort}`),
      neighbour,
    ];
    const answers = await Promise.all(targets.map((target, index) => api.build(10 + index, request(10 + index, [connect(target)]))));
    for (const [index, answer] of answers.entries()) {
      const error = errorOf(answer);
      expect(error.message, targets[index]).toMatch(/step 1\/1 returned a non-zero code: 1/);
      expect(buildLog(answer)).not.toMatch(/^REACHED/m);
      await expectNothingLeft(10 + index);
    }
    await expectNeighbourServing();
  });

  it('still reaches the internet side: DNS answers inside a build', async () => {
    const answer = await api.build(4, request(4, [['nslookup', 'deb.debian.org']]));
    builtImage(answer);
    expect(buildLog(answer)).toMatch(/Address/);
  });

  it('runs as root without the capabilities it does not need, and with no new privileges', async () => {
    const answer = await api.build(5, request(5, [['sh', '-c', 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status']]));
    builtImage(answer);
    const bits = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7 };
    const mask = BUILD_CAPABILITIES.reduce((sum, cap) => sum | (1 << bits[cap]), 0)
      .toString(16)
      .padStart(16, '0');
    const log = buildLog(answer);
    expect(log).toContain(`CapEff:\t${mask}`);
    expect(log).toContain(`CapBnd:\t${mask}`);
    expect(log).toContain('NoNewPrivs:\t1');
  });

  it('runs at most DAIS_BUILD_CONCURRENCY builds at once; the others wait, told how many are ahead', async () => {
    let most = 0;
    const stop = new AbortController();
    const poll = (async () => {
      while (!stop.signal.aborted) {
        const running = await sites.docker.listContainers({
          filters: { label: [`${SITE_LABELS.managedBy}=${prefix}`], name: [`${prefix}build-`] },
        });
        most = Math.max(most, running.length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const answers = await Promise.all([20, 21, 22].map((siteId) => api.build(siteId, request(siteId, [['sleep', '2']]))));
    stop.abort();
    await poll;
    for (const answer of answers) builtImage(answer);
    expect(most).toBe(2);
    const queued = answers.flatMap((answer) => buildEvents(answer).filter((event) => event.type === 'queued'));
    expect(queued).toEqual([{ type: 'queued', ahead: 1 }]);
  });
});
