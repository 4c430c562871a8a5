import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { rawRequest } from './support/load-balancer';
import { startPlainNginx, type PlainNginx } from './support/plain-nginx';
import { freePorts } from './support/ports';
import { TestStack } from './support/stack';

/** A CGI script busybox httpd runs: the request as the site's code sees it (a body is read first, or httpd may fail writing it). */
const ENV_CGI =
  '#!/bin/sh\n[ -n "$CONTENT_LENGTH" ] && head -c "$CONTENT_LENGTH" > /dev/null\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nenv | sort\n';
const RUN_SH = '#!/bin/sh\nexec httpd -f -p "$PORT" -h /site/public\n';

/**
 * A websocket endpoint small enough for busybox: answers the upgrade (the accept value is RFC 6455's
 * example, for its example key), then echoes every byte back. Enough to prove the tunnel is open both
 * ways through router and orchestrator.
 */
const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const WS_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const WS_SH = `#!/bin/sh
cr=$(printf '\\r')
while read -r line; do
  case "$line" in ''|"$cr") break;; esac
done
printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ${WS_ACCEPT}\\r\\n\\r\\n'
exec cat
`;
const WS_RUN_SH = '#!/bin/sh\nexec nc -ll -p "$PORT" -e /site/ws.sh\n';

/** Opens a raw connection to the edge, asks for a websocket upgrade, and returns the socket once 101 came. */
function upgradeThroughEdge(port: number, host: string): Promise<{ socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no upgrade answer within 10 s')));
    socket.once('error', reject);
    socket.on('data', function onData(chunk: Buffer) {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      resolve({ socket, head: received.slice(0, end) });
    });
    socket.write(
      `GET /chat HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/**
 * A second "orchestrator" in the router's pool: a plain nginx on its own port passing to the real
 * orchestrator's sites port, so the test can stop it like a host that went away.
 */
function startStandInOrchestrator(port: number, upstream: number): Promise<PlainNginx> {
  return startPlainNginx(
    'stand-in-orchestrator',
    () => `    server {
        listen 127.0.0.1:${port};
        # A pass-through: the limits are the router's and the orchestrator's.
        client_max_body_size 0;
        location / {
            proxy_pass http://127.0.0.1:${upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $http_connection;
            proxy_set_header X-Real-IP $http_x_real_ip;
            proxy_set_header X-Forwarded-For $http_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
        }
    }`,
  );
}

describe('the router forwards every site to a pool of orchestrators', () => {
  let stack: TestStack;
  let standIn: PlainNginx | undefined;
  let site: SiteView;

  beforeAll(async () => {
    const [standInPort] = (await freePorts(1)) as [number];
    stack = await TestStack.start('router-forwarding', {
      prepare: async ({ ports }) => {
        standIn = await startStandInOrchestrator(standInPort, ports.sites);
        return { DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${standInPort},127.0.0.1:${ports.sites}` };
      },
    });
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'echo', type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    site = created.json;
    expect((await stack.waitForOperation<OperationView>(site.operation?.id ?? 0)).state).toBe('succeeded');
    const folder = join(stack.stateDir, 'orchestrator/data/sites', String(site.id));
    await mkdir(join(folder, 'public', 'cgi-bin'), { recursive: true });
    await writeFile(join(folder, 'public', 'cgi-bin', 'env'), ENV_CGI);
    await chmod(join(folder, 'public', 'cgi-bin', 'env'), 0o755);
    await writeFile(join(folder, 'run.sh'), RUN_SH);
    await chmod(join(folder, 'run.sh'), 0o755);
    const restarted = await stack.api<OperationView>('POST', `/api/sites/${site.id}/restart`);
    expect((await stack.waitForOperation<OperationView>(restarted.json.id)).state).toBe('succeeded');
    await eventually(
      () => stack.visit('echo.dais.localhost', '/cgi-bin/env'),
      (page) => page.status === 200,
      30_000,
    );
  }, 180_000);

  afterAll(async () => {
    // The stand-in first: it also runs when the stack never started (and `stack` is unset).
    await standIn?.stop();
    await stack.stop();
  });

  const askAsVisitor = (headers: Record<string, string> = {}) =>
    rawRequest({
      port: stack.ports.edge,
      method: 'GET',
      path: '/cgi-bin/env',
      localAddress: '127.0.0.2',
      headers: { host: 'echo.dais.localhost', ...headers },
    });

  it('passes the original host and the real visitor, whatever the visitor claims about earlier hops', async () => {
    const page = await askAsVisitor({ 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/^HTTP_HOST=echo\.dais\.localhost$/m);
    expect(page.body).toMatch(/^HTTP_X_FORWARDED_FOR=127\.0\.0\.2\b/m);
    expect(page.body).toMatch(/^HTTP_X_REAL_IP=127\.0\.0\.2$/m);
    expect(page.body).not.toContain('203.0.113.9');
    expect(page.body).toMatch(/^HTTP_X_FORWARDED_PROTO=http$/m);
    expect(page.body).toMatch(/^HTTP_X_FORWARDED_HOST=echo\.dais\.localhost$/m);
  });

  it('opens a websocket tunnel to a site through router and orchestrator, both ways', async () => {
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'live', type: 'dynamic', image: 'busybox' });
    expect((await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0)).state).toBe('succeeded');
    const folder = join(stack.stateDir, 'orchestrator/data/sites', String(created.json.id));
    await writeFile(join(folder, 'ws.sh'), WS_SH);
    await chmod(join(folder, 'ws.sh'), 0o755);
    await writeFile(join(folder, 'run.sh'), WS_RUN_SH);
    await chmod(join(folder, 'run.sh'), 0o755);
    const restarted = await stack.api<OperationView>('POST', `/api/sites/${created.json.id}/restart`);
    expect((await stack.waitForOperation<OperationView>(restarted.json.id)).state).toBe('succeeded');
    const { socket, head } = await eventually(
      () => upgradeThroughEdge(stack.ports.edge, 'live.dais.localhost').catch(() => ({ socket: null, head: '' })),
      (answer) => answer.head.startsWith('HTTP/1.1 101'),
      30_000,
      250,
    );
    try {
      expect(head).toContain(`Sec-WebSocket-Accept: ${WS_ACCEPT}`);
      const echoed = new Promise<string>((resolve) => {
        let text = '';
        socket?.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.includes('ping-42')) resolve(text);
        });
      });
      socket?.write('ping-42');
      expect(await echoed).toContain('ping-42');
    } finally {
      socket?.destroy();
    }
  });

  it("takes the site's own request-body limit at the edge, and nginx's 1 MB for the others", async () => {
    const post = () =>
      rawRequest({
        port: stack.ports.edge,
        method: 'POST',
        path: '/cgi-bin/env',
        headers: { host: 'echo.dais.localhost', 'content-type': 'application/octet-stream' },
        body: 'x'.repeat(3 * 1024 * 1024),
      });
    expect((await post()).status).toBe(413);
    const raised = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, { nginx: { clientMaxBodyMb: 5 } });
    expect(raised.status, JSON.stringify(raised.json)).toBe(202);
    expect((await stack.waitForOperation<OperationView>(raised.json.operation?.id ?? 0)).state).toBe('succeeded');
    const accepted = await post();
    expect(accepted.status, accepted.body.slice(0, 200)).toBe(200);
    expect(accepted.body).toMatch(/^REQUEST_METHOD=POST$/m);
  });

  it('spreads requests over both orchestrators, and keeps serving every request when one stops', async () => {
    for (let i = 0; i < 6; i++) expect((await askAsVisitor()).status).toBe(200);
    // Round robin: the stand-in took its share.
    expect((await readFile(standIn?.accessLog ?? '', 'utf8')).match(/cgi-bin\/env/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    await standIn?.stop();
    standIn = undefined;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await askAsVisitor()).status);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
  });

  it('answers an unknown host with a clear 404 page', async () => {
    const page = await rawRequest({ port: stack.ports.edge, method: 'GET', path: '/', headers: { host: 'nobody.dais.localhost' } });
    expect(page.status).toBe(404);
    expect(page.body).toContain('There is no site or page at this address.');
  });
});
