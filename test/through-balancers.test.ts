import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { setupInternalCa, startBalancer } from './support/load-balancer';
import { freePorts } from './support/ports';
import { registerNewSshKey, SshClient, type SshCredential } from './support/ssh-client';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

/**
 * The deployment docs/load-balancers.md describes, end to end: the real shell knows the manager
 * and the orchestrator, and the manager knows the orchestrator and the router, only through TLS
 * balancers rendered from nginx/lb/, each presenting the client certificate setup made. A site is
 * created and served, its files read through the manager, and the real OpenSSH client signs in,
 * runs a command and uploads over SFTP. Without its certificate the shell is turned away by the
 * balancers, and says so in its log.
 */
/** A balancer's access log once it shows `pattern`: nginx writes a request's line after it has sent the answer. */
const accessLogUntil = (file: string, pattern: RegExp) =>
  eventually(
    () => readFile(file, 'utf8'),
    (text) => pattern.test(text),
    10_000,
    100,
  );

describe('the shell and the manager behind the load balancers, known by their client certificates', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let balancerLogs: { manager: string; control: string };
  const balancers: { stop(): Promise<void> }[] = [];
  const alice: SshCredential = { password: 'alice long password 1' };
  let aliceKey: SshCredential;
  let siteId = 0;

  beforeAll(async () => {
    dir = await tempDir('shell-lb');
    const [managerBalancer, controlBalancer, routerBalancer] = (await freePorts(3)) as [number, number, number];
    stack = await TestStack.start('shell-lb', {
      shell: true,
      prepare: async ({ stateDir, ports }) => {
        const ca = await setupInternalCa(stateDir);
        const tls = {
          certificate: join(ca.dir, 'balancer.crt'),
          key: join(ca.dir, 'balancer.key'),
          clientCertificateAuthority: join(ca.dir, 'ca.crt'),
        };
        const target = (role: 'manager' | 'orchestrator' | 'router', port: number, upstream: number) => ({
          name: role,
          role,
          listen: { host: '127.0.0.1', port },
          upstreams: [{ host: '127.0.0.1', port: upstream }],
        });
        const manager = await startBalancer('shell-manager', {
          tls,
          callers: { shell: { certificateCommonName: 'dais-shell' } },
          targets: [target('manager', managerBalancer, ports.manager)],
        });
        const control = await startBalancer('shell-control', {
          tls,
          callers: { shell: { certificateCommonName: 'dais-shell' }, manager: { certificateCommonName: 'dais-manager' } },
          targets: [target('orchestrator', controlBalancer, ports.orchestrator), target('router', routerBalancer, ports.router)],
        });
        balancers.push(manager, control);
        balancerLogs = { manager: join(manager.prefix, 'logs', 'access.log'), control: join(control.prefix, 'logs', 'access.log') };
        return {
          DAIS_SHELL_MANAGER_URL: `https://127.0.0.1:${managerBalancer}`,
          DAIS_SHELL_ORCHESTRATOR_URL: `https://127.0.0.1:${controlBalancer}`,
          DAIS_SHELL_CLIENT_CERT: join(ca.dir, 'shell.crt'),
          DAIS_SHELL_CLIENT_KEY: join(ca.dir, 'shell.key'),
          DAIS_SHELL_CA_CERT: join(ca.dir, 'ca.crt'),
          DAIS_ORCHESTRATOR_URL: `https://127.0.0.1:${controlBalancer}`,
          DAIS_ROUTER_URL: `https://127.0.0.1:${routerBalancer}`,
          DAIS_MANAGER_CLIENT_CERT: join(ca.dir, 'manager.crt'),
          DAIS_MANAGER_CLIENT_KEY: join(ca.dir, 'manager.key'),
          DAIS_MANAGER_CA_CERT: join(ca.dir, 'ca.crt'),
        };
      },
    });
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    expect((await stack.api('POST', '/api/users', { username: 'alice', password: 'alice long password 1' })).status).toBe(201);
    const site = await stack.createSite('edge');
    siteId = site.id;
    expect((await stack.waitForOperation<{ state: string }>(site.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' })).status).toBe(201);
    // sftp -b cannot type a password: alice signs in with a key for SFTP.
    aliceKey = await registerNewSshKey(
      `http://127.0.0.1:${stack.ports.manager}`,
      { username: 'alice', password: 'alice long password 1' },
      dir.path,
    );
  });

  afterAll(async () => {
    await stack.stop();
    for (const balancer of balancers) await balancer.stop();
    await dir.remove();
  });

  it('the manager reached orchestrator and router through the control balancer, with its certificate', async () => {
    const control = await readFile(balancerLogs.control, 'utf8');
    expect(control).toMatch(new RegExp(` manager "PUT /v1/sites/${siteId} HTTP/1\\.1" 200 `));
    expect(control).toMatch(new RegExp(` manager "PUT /v1/routes/${siteId} HTTP/1\\.1" 200 `));
    // The file API streams through it too: a listing (JSON) and a download (a stream).
    const listing = await stack.api<{ entries: { name: string }[] }>('GET', `/api/sites/${siteId}/files?path=/public`);
    expect(listing.status, JSON.stringify(listing.json)).toBe(200);
    expect(listing.json.entries.map((entry) => entry.name)).toContain('index.html');
    const download = await stack.api('GET', `/api/sites/${siteId}/files/content?path=/public/index.html`);
    expect(download.status).toBe(200);
    const streamed = / manager "GET \/v1\/sites\/\d+\/files\/content\?[^"]*" 200 /;
    expect(await accessLogUntil(balancerLogs.control, streamed)).toMatch(streamed);
  });

  it('signs in and runs a command in the site, every hop through a balancer that checked the certificate', async () => {
    const answer = await client.ssh('alice+edge', alice, ['ls /site; exit 5']);
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(5);
    expect(answer.stdout).toContain('public');
    // The balancers' access logs name the caller their certificate check found ($dais_caller), and what it reached.
    const signIn = / shell "POST \/shell-server\/auth\/password HTTP\/1\.1" 200 /;
    expect(await accessLogUntil(balancerLogs.manager, signIn)).toMatch(signIn);
    // nginx logs an upgraded connection when it closes, a moment after the session ended.
    const tunnel = new RegExp(` shell "GET /ws/shell-server/${siteId}\\?mode=exec[^"]*" 101 `);
    expect(await accessLogUntil(balancerLogs.control, tunnel)).toMatch(tunnel);
  });

  it('uploads over SFTP through the balancers, and the router serves the file', async () => {
    const local = join(dir.path, 'index.html');
    await writeFile(local, '<h1>through the balancers</h1>\n');
    const answer = await client.sftp('alice+edge', aliceKey, [`put ${local} public/index.html`]);
    expect(answer.code, answer.stderr).toBe(0);
    const page = await eventually(
      () => stack.visit('edge.dais.localhost'),
      (response) => response.body.includes('through the balancers'),
    );
    expect(page.status).toBe(200);
  });

  it('without its client certificate the shell is refused by the balancer: a plain line for the person, the reason in its log', async () => {
    await stack.stopProcess('shell');
    const withCertificate = { cert: stack.env.DAIS_SHELL_CLIENT_CERT, key: stack.env.DAIS_SHELL_CLIENT_KEY };
    delete stack.env.DAIS_SHELL_CLIENT_CERT;
    delete stack.env.DAIS_SHELL_CLIENT_KEY;
    try {
      stack.startProcess('shell');
      await stack.waitUntilReady();
      const answer = await client.ssh('alice+edge', alice, ['true']);
      expect(answer.code).toBe(255);
      expect(answer.stderr).toContain('Dais cannot check sign-ins right now; try again in a minute.');
      const reason = /HTTP 403 to POST \/shell-server\/auth\/password: BALANCER_FORBIDDEN[^\n]*could not check a sign-in/;
      expect(await stack.logUntil('shell', reason)).toMatch(reason);
    } finally {
      await stack.stopProcess('shell');
      Object.assign(stack.env, { DAIS_SHELL_CLIENT_CERT: withCertificate.cert, DAIS_SHELL_CLIENT_KEY: withCertificate.key });
      stack.startProcess('shell');
      await stack.waitUntilReady();
    }
    // With the certificate back, the same sign-in works again.
    expect((await client.ssh('alice+edge', alice, ['true'])).code).toBe(0);
  });
});
