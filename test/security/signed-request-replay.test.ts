import { join } from 'node:path';
import type { ShellAuthResult } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/http';
import { freePort } from '../support/ports';
import { RecordingProxy, type RecordedRequest } from '../support/recording-proxy';
import { signedFetch, type RawAnswer } from '../support/signed-fetch';
import { registerNewSshKey, SshClient, type SshCredential } from '../support/ssh-client';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';
import { openSigned } from '../support/ws-client';

type ErrorBody = { error?: { code?: string; details?: { reason?: string } } };

/** A signed request is good for 60 s; a capture replayed later than this would be refused as expired, proving nothing. */
const FRESH_MS = 50_000;
const PASSWORD = 'alice long password 1';

/**
 * Threat: someone who captured a signed request between two components (on the wire, in a load
 * balancer's log) sends it again within its 60 s, to a second manager API process or to a
 * component that restarted meanwhile, hoping its memory of nonces is gone. Every receiver keeps
 * that memory where the replay lands too: the manager's API processes in one Redis, orchestrator
 * and router in a file they read back at start.
 */
describe('a captured signed request is accepted once: across API processes and restarts', () => {
  let stack: TestStack;
  const proxies: Record<'manager' | 'orchestrator' | 'router', RecordingProxy | undefined> = {
    manager: undefined,
    orchestrator: undefined,
    router: undefined,
  };
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let aliceKey: SshCredential;
  let secondApi: string;

  const url = (port: number) => `http://127.0.0.1:${port}`;
  /** Sends exactly what was captured (headers with the signature, and body) to another address. */
  const replay = (baseUrl: string, captured: RecordedRequest): Promise<RawAnswer> =>
    signedFetch(baseUrl, null, captured.method, captured.path, {
      ...(captured.body === '' ? {} : { body: captured.body }),
      reuse: pick(captured.headers, ['x-dais-caller', 'x-dais-audience', 'x-dais-timestamp', 'x-dais-nonce', 'x-dais-signature']),
    });
  const lastAccepted = (proxy: 'manager' | 'orchestrator' | 'router', method: string, prefix: string): RecordedRequest => {
    const captured = proxies[proxy]!.accepted(method, prefix).at(-1);
    if (!captured) throw new Error(`nothing captured on the way to the ${proxy}: ${method} ${prefix}`);
    expect(Date.now() - Number(captured.headers['x-dais-timestamp']), 'the capture is still within its 60 s').toBeLessThan(FRESH_MS);
    return captured;
  };
  const outcome = (answer: RawAnswer) => {
    const error = (answer.json as ErrorBody).error;
    return [answer.status, error?.details?.reason ?? error?.code];
  };
  const restart = async (name: 'manager' | 'orchestrator' | 'router') => {
    await stack.stopProcess(name);
    stack.startProcess(name);
    await stack.waitUntilReady();
  };

  beforeAll(async () => {
    dir = await tempDir('signed-request-replay');
    stack = await TestStack.start('signed-request-replay', {
      shell: true,
      // Recorders on the wires shell → manager, manager → orchestrator and manager → router.
      prepare: async ({ ports }) => {
        proxies.manager = await RecordingProxy.start(url(ports.manager));
        proxies.orchestrator = await RecordingProxy.start(url(ports.orchestrator));
        proxies.router = await RecordingProxy.start(url(ports.router));
        return {
          DAIS_SHELL_MANAGER_URL: proxies.manager.url,
          DAIS_ORCHESTRATOR_URL: proxies.orchestrator.url,
          DAIS_ROUTER_URL: proxies.router.url,
        };
      },
    });
    // A second API process of the same manager: same database, same Redis, its own port.
    const port = await freePort();
    stack.startProcess('manager-api', { as: 'manager-api-2', env: { DAIS_MANAGER_PORT: String(port) } });
    secondApi = url(port);
    await eventually(
      () =>
        fetch(`${secondApi}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      Boolean,
      30_000,
    );
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    expect((await stack.api('POST', '/api/users', { username: 'alice', password: PASSWORD })).status).toBe(201);
    aliceKey = await registerNewSshKey(url(stack.ports.manager), { username: 'alice', password: PASSWORD }, dir.path);
  });

  afterAll(async () => {
    await stack.stop();
    for (const proxy of Object.values(proxies)) await proxy?.stop();
    await dir.remove();
  });

  it("the shell's sign-in requests, accepted by one manager API process, are refused by the other and after a restart", async () => {
    // Real sign-ins through the shell (alice has no sites, so each ends right after the sign-in).
    for (const credential of [{ password: PASSWORD }, aliceKey])
      expect((await client.ssh('alice', credential, ['true'])).stderr).toMatch(/no sites/);
    const password = lastAccepted('manager', 'POST', '/shell-server/auth/password');
    const key = lastAccepted('manager', 'POST', '/shell-server/auth/public-key');

    expect(outcome(await replay(secondApi, password))).toEqual([403, 'SIGNATURE_REPLAYED']);
    // Signed afresh with the shell's key, the key sign-in itself is still single-use in every process.
    const resigned = await signedFetch(secondApi, stack.signer('shell', 'manager'), 'POST', key.path, { body: key.body });
    expect(outcome(resigned)).toEqual([401, 'SSH_SIGNATURE_REPLAYED']);

    await restart('manager');
    expect(outcome(await replay(url(stack.ports.manager), password))).toEqual([403, 'SIGNATURE_REPLAYED']);
    expect(outcome(await replay(url(stack.ports.manager), key))).toEqual([403, 'SIGNATURE_REPLAYED']);
  });

  it("the manager's requests to the orchestrator, and a shell token, stay spent after the orchestrator restarts", async () => {
    const site = await stack.createSite('alpha');
    await stack.waitForOperation(site.operation?.id ?? 0);
    expect((await stack.api('GET', `/api/sites/${site.id}/status`)).status).toBe(200);
    const put = lastAccepted('orchestrator', 'PUT', `/v1/sites/${site.id}`);
    const status = lastAccepted('orchestrator', 'GET', `/v1/sites/${site.id}/status`);
    // A shell token, used once for a command in the site (the attacker here holds the shell's key).
    await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' });
    const signIn = await signedFetch(url(stack.ports.manager), stack.signer('shell', 'manager'), 'POST', '/shell-server/auth/password', {
      body: { username: 'alice', password: PASSWORD, site: 'alpha' },
    });
    const token = (signIn.json as ShellAuthResult).sites[0]!.token;
    const path = `/ws/shell-server/${site.id}?mode=exec&command=${Buffer.from('true').toString('base64url')}`;
    const shellSigner = stack.signer('shell', 'orchestrator');
    const first = await openSigned(url(stack.ports.orchestrator), shellSigner, path, { headers: { 'x-dais-shell-token': token } });
    if (!('ws' in first)) throw new Error(`the token was refused the first time: ${JSON.stringify(first.refused)}`);
    await first.ws.closed;

    await restart('orchestrator');
    expect(outcome(await replay(url(stack.ports.orchestrator), put))).toEqual([401, 'SIGNATURE_REPLAYED']);
    expect(outcome(await replay(url(stack.ports.orchestrator), status))).toEqual([401, 'SIGNATURE_REPLAYED']);
    const again = await openSigned(url(stack.ports.orchestrator), shellSigner, path, { headers: { 'x-dais-shell-token': token } });
    expect('refused' in again && again.refused).toMatchObject({ status: 401, body: { error: { code: 'SHELL_TOKEN_INVALID' } } });
    // The orchestrator still takes fresh requests at once (nothing is refused for having been signed near the restart).
    expect((await stack.api('GET', `/api/sites/${site.id}/status`)).status).toBe(200);
  });

  it("the manager's requests to the router stay spent after the router restarts", async () => {
    // The manager reads certificates from the router every second (DAIS_CERTIFICATE_SYNC_INTERVAL_MS in tests).
    await eventually(
      () => Promise.resolve(proxies.router!.accepted('GET', '/v1/certificates').length),
      (count) => count > 0,
    );
    const sync = lastAccepted('router', 'GET', '/v1/certificates');
    await restart('router');
    expect(outcome(await replay(url(stack.ports.router), sync))).toEqual([401, 'SIGNATURE_REPLAYED']);
  });
});

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (headers[name] === undefined ? [] : [[name, headers[name]]])));
}
