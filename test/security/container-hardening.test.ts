import { networkInterfaces } from 'node:os';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicSpec, OrchestratorHarness } from '../../apps/orchestrator/test/support/orchestrator-harness';
import { runningContainerIds } from '../../apps/orchestrator/test/support/runtime-inspection';
import { joinTestSwarm, leaveTestSwarm } from '../../apps/orchestrator/test/support/test-swarm';
import { buildTestImage } from '../support/test-images';
import { VisitorNamespace } from '../support/visitor-netns';

/** A site image with a setuid-root program that keeps its privileges (perl, unlike busybox, does not drop them). */
async function attackerImage(docker: Docker, tag: string): Promise<string> {
  const dockerfile = [
    'FROM dais/debian:bookworm',
    'COPY busybox /usr/local/bin/busybox',
    'RUN ["sh","-c","cp /usr/bin/perl /usr/local/bin/suid-perl && chmod 4755 /usr/local/bin/suid-perl && busybox --install -s /usr/local/bin"]',
  ].join('\n');
  return buildTestImage(docker, tag, { Dockerfile: dockerfile, busybox: await readFile('/bin/busybox') });
}

/** Runs a command inside a site's container as its own user (as a terminal would): what it printed and its exit code. */
async function inside(docker: Docker, containerId: string, command: string): Promise<{ output: string; code: number | null }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  docker.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.once('end', resolve));
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running) return { output, code: info.ExitCode };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output, code: null };
}

/** This host's IPv4 addresses, as a process in a container may try them. */
const hostIPv4 = () =>
  Object.values(networkInterfaces())
    .flat()
    .flatMap((nic) => (nic && nic.family === 'IPv4' && !nic.internal ? [nic.address] : []));

/**
 * Threat: a site's own code (its owner's, or whoever broke into it) runs in its container. It must
 * not become root, keep a capability, reach another site's container, nor be reached by visitors
 * any other way than through the orchestrators' nginx. The same attacks run on both runtimes.
 */
for (const runtime of ['docker', 'swarm'] as const) {
  describe(`a site's container on the ${runtime} runtime is a cell (real engine, real packet filter)`, () => {
    let h: OrchestratorHarness;
    let createdSwarm = false;
    let attacker: string;
    let victimAddress: string;
    let victimEndpoint: string;
    let visitor: VisitorNamespace | undefined;
    const uid = 200_001;

    beforeAll(async () => {
      if (runtime === 'swarm') createdSwarm = await joinTestSwarm();
      h = await OrchestratorHarness.start(runtime);
      const image = await attackerImage(h.docker, `${h.prefix}attacker:1`);
      expect((await h.put(dynamicSpec(1, 'attacker', {}, { image }))).status).toBe(200);
      expect((await h.put(dynamicSpec(2, 'victim'))).status).toBe(200);
      await h.visitUntil('attacker.dais.localhost', 200);
      await h.visitUntil('victim.dais.localhost', 200);
      [attacker = ''] = await runningContainerIds(h, 1);
      const [victim = ''] = await runningContainerIds(h, 2);
      const networks = (await h.docker.getContainer(victim).inspect()).NetworkSettings.Networks;
      victimAddress = Object.values(networks)[0]?.IPAddress ?? '';
      victimEndpoint = (await h.status(2)).endpoints[0] ?? '';
      visitor = await VisitorNamespace.create();
    }, 180_000);

    afterAll(async () => {
      await visitor?.remove();
      await h.destroy();
      if (createdSwarm) await leaveTestSwarm();
    }, 120_000);

    it('runs with no new privileges and no capability at all, as the site user', async () => {
      const { output } = await inside(
        h.docker,
        attacker,
        'id -u; grep -E "^(NoNewPrivs|CapPrm|CapEff|CapBnd|CapAmb)" /proc/1/status /proc/self/status',
      );
      expect(output.split('\n')[0]).toBe(String(uid));
      for (const file of ['/proc/1/status', '/proc/self/status']) {
        expect(output).toContain(`${file}:NoNewPrivs:\t1`);
        for (const set of ['CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(output).toContain(`${file}:${set}:\t0000000000000000`);
      }
    });

    it('does not become root through a setuid-root program of its own image', async () => {
      const { output } = await inside(
        h.docker,
        attacker,
        `suid-perl -e 'print "$>\\n"; open(my $f, "<", "/etc/shadow") and print "read shadow\\n"'`,
      );
      expect(output.trim()).toBe(String(uid));
    });

    it("cannot reach another site's container, directly or through its published port", async () => {
      const targets = [`${victimAddress}:8080`];
      if (runtime === 'swarm') {
        const port = victimEndpoint.slice(victimEndpoint.lastIndexOf(':') + 1);
        const gateway = (await inside(h.docker, attacker, "ip route | awk '/default/ {print $3}'")).output.trim();
        for (const address of [gateway, ...hostIPv4()]) targets.push(`${address}:${port}`);
      }
      for (const target of targets) {
        const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
        const { output, code } = await inside(h.docker, attacker, `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`);
        expect(code, `${target}: ${output}`).not.toBe(0);
        expect(output, target).not.toContain('HTTP/1.');
      }
      expect((await h.visit('victim.dais.localhost')).status).toBe(200);
    });

    it('answers visitors only through the orchestrator nginx: the container and any published port refuse them', async () => {
      expect(await visitor!.httpGet(victimAddress, 8080)).toBeNull();
      if (runtime === 'swarm') {
        const port = Number(victimEndpoint.slice(victimEndpoint.lastIndexOf(':') + 1));
        for (const address of [visitor!.hostIPv4, ...hostIPv4(), visitor!.hostIPv6]) {
          expect(await visitor!.httpGet(address, port), `${address}:${port}`).toBeNull();
        }
        // A container of another network on this host (Docker's userland proxy answers it).
        const neighbour = await h.docker.createContainer({
          Image: 'dais/busybox:latest',
          Cmd: ['sleep', '60'],
          Labels: { 'dais.managed-by': h.prefix },
        });
        await neighbour.start();
        const probe = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $(ip route | awk '/default/ {print $3}') ${port}`;
        expect((await inside(h.docker, neighbour.id, probe)).output).not.toContain('HTTP/1.');
      }
      const page = await h.visit('victim.dais.localhost');
      expect(page.status).toBe(200);
    });
  });
}
