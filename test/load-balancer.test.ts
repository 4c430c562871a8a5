import { join } from 'node:path';
import { signRequest } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BALANCER_HEADER, BALANCER_REFUSAL_CODE } from '../nginx/lb/balancer.render';
import {
  errorCodeOf,
  issueExpiredShellCertificate,
  rawRequest,
  setupInternalCa,
  startBalancer,
  type InternalCa,
  type RawAnswer,
} from './support/load-balancer';
import { freePorts } from './support/ports';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

/**
 * The trust boundaries enforced twice: real nginx balancers rendered from nginx/lb/ in front of a
 * real stack. Each row says what the balancer does with one (caller, request) and what the app
 * answers: through the balancer when it passes, sent straight to the app when it refuses, so a
 * hole in either layer shows up as a failing row.
 */
type Caller = 'browser' | 'shell' | 'manager' | 'foreign-shell' | 'foreign-manager' | 'expired-shell' | 'key-thief';
type Target = 'manager' | 'orchestrator' | 'router';

interface Row {
  caller: Caller;
  target: Target;
  method: string;
  path: string;
  upgrade?: boolean;
  body?: string;
  /** Send the admin's bearer token (a signed-in browser). */
  token?: boolean;
  balancer: 'pass' | 'refuse';
  /**
   * The app's status (and error code): through the balancer if it passes, else sent directly.
   * `caller-accepted`: whatever the route answers, it is not a signature or allow-list refusal.
   * `any`: the app's answer is not the point of the row.
   */
  app: [status: number, code?: string] | 'caller-accepted' | 'any';
}

/** Who each caller is: its client certificate (which CA, which name) and the key it signs with. */
const CALLERS: Record<
  Caller,
  { certificate: 'shell' | 'manager' | null; issuer?: 'foreign' | 'expired'; signsAs: 'shell' | 'manager' | null }
> = {
  browser: { certificate: null, signsAs: null },
  shell: { certificate: 'shell', signsAs: 'shell' },
  manager: { certificate: 'manager', signsAs: 'manager' },
  // Holds the right signing key and a certificate with the right name, but from another CA.
  'foreign-shell': { certificate: 'shell', issuer: 'foreign', signsAs: 'shell' },
  'foreign-manager': { certificate: 'manager', issuer: 'foreign', signsAs: 'manager' },
  // The right CA and name, but the certificate expired.
  'expired-shell': { certificate: 'shell', issuer: 'expired', signsAs: 'shell' },
  // Stole the manager's signing key, has no certificate.
  'key-thief': { certificate: null, signsAs: 'manager' },
};

/** How the apps refuse a caller (as opposed to answering the route). */
const CALLER_REFUSALS = [
  'SIGNATURE_MISSING',
  'SIGNATURE_INVALID',
  'SIGNATURE_EXPIRED',
  'SIGNATURE_REPLAYED',
  'CALLER_UNKNOWN',
  'AUDIENCE_MISMATCH',
  'ROUTE_FORBIDDEN',
  'FORBIDDEN',
];

const SHELL_LOGIN = 'POST /shell-server/auth/password';
const SOCKET_IO = 'WS /socket.io/?EIO=4&transport=websocket';

/**
 * One row of a table. `request` is `METHOD /target`, or `WS /target` for a websocket upgrade (a GET).
 * POSTs carry `{}`: it passes the signature check and fails validation, so a 400 proves the
 * signature (over method, raw path and body) survived the balancer.
 */
function row(caller: Caller, target: Target, request: string, balancer: Row['balancer'], app: Row['app'], extra: Partial<Row> = {}): Row {
  const [verb = '', path = ''] = request.split(' ');
  const method = verb === 'WS' ? 'GET' : verb;
  return { caller, target, method, path, upgrade: verb === 'WS', balancer, app, ...(method === 'POST' ? { body: '{}' } : {}), ...extra };
}

const MATRIX: Row[] = [
  // manager: browsers get everything but /shell-server/ and /metrics; the shell gets only /shell-server/.
  row('browser', 'manager', 'GET /healthz', 'pass', [200]),
  row('browser', 'manager', 'GET /', 'pass', [200]), // the dashboard
  row('browser', 'manager', 'GET /sites/1/files', 'pass', [200]),
  row('browser', 'manager', 'GET /api/sites', 'pass', [401, 'UNAUTHENTICATED']),
  row('browser', 'manager', 'GET /api/sites', 'pass', [200], { token: true }),
  row('browser', 'manager', SOCKET_IO, 'pass', [101]),
  row('browser', 'manager', 'GET /metrics', 'refuse', [200]),
  row('browser', 'manager', SHELL_LOGIN, 'refuse', [403, 'FORBIDDEN']),
  row('shell', 'manager', SHELL_LOGIN, 'pass', [400, 'VALIDATION_FAILED']),
  row('shell', 'manager', 'POST /shell-server', 'pass', [404]),
  // A large body with multi-byte characters arrives byte for byte, or the signature over it would fail.
  row('shell', 'manager', SHELL_LOGIN, 'pass', [400, 'VALIDATION_FAILED'], { body: JSON.stringify({ padding: 'ü€😀'.repeat(40_000) }) }),
  row('shell', 'manager', 'GET /api/sites', 'refuse', [401, 'UNAUTHENTICATED']),
  row('shell', 'manager', 'GET /healthz', 'refuse', [200]),
  row('shell', 'manager', SOCKET_IO, 'refuse', [101]),
  // Only the balancer stops these: the app alone would accept the shell's signature.
  row('foreign-shell', 'manager', SHELL_LOGIN, 'refuse', [400, 'VALIDATION_FAILED']),
  row('expired-shell', 'manager', SHELL_LOGIN, 'refuse', [400, 'VALIDATION_FAILED']),
  row('foreign-shell', 'manager', 'GET /api/sites', 'pass', [401, 'UNAUTHENTICATED']),
  row('manager', 'manager', SHELL_LOGIN, 'refuse', [403, 'FORBIDDEN']),
  // orchestrator: the manager gets everything; the shell only upgrades on /ws/shell-server/; browsers nothing.
  row('manager', 'orchestrator', 'GET /v1/health', 'pass', [200]),
  row('manager', 'orchestrator', 'WS /ws/sites/1/terminal', 'pass', 'caller-accepted'),
  // The balancer lets the manager reach everything; the app narrows this one further.
  row('manager', 'orchestrator', 'WS /ws/shell-server/1', 'pass', 'any'),
  row('shell', 'orchestrator', 'WS /ws/shell-server/1', 'pass', 'caller-accepted'),
  row('shell', 'orchestrator', 'POST /ws/shell-server/1', 'refuse', [403, 'ROUTE_FORBIDDEN']),
  row('shell', 'orchestrator', 'GET /v1/health', 'refuse', [403, 'ROUTE_FORBIDDEN']),
  row('shell', 'orchestrator', 'WS /ws/sites/1/terminal', 'refuse', [403, 'ROUTE_FORBIDDEN']),
  row('browser', 'orchestrator', 'GET /v1/health', 'refuse', [401, 'SIGNATURE_MISSING']),
  row('browser', 'orchestrator', 'WS /ws/sites/1/terminal', 'refuse', [401, 'SIGNATURE_MISSING']),
  row('browser', 'orchestrator', 'WS /ws/shell-server/1', 'refuse', [401, 'SIGNATURE_MISSING']),
  row('foreign-manager', 'orchestrator', 'GET /v1/health', 'refuse', [200]),
  row('foreign-shell', 'orchestrator', 'WS /ws/shell-server/1', 'refuse', 'caller-accepted'),
  row('expired-shell', 'orchestrator', 'WS /ws/shell-server/1', 'refuse', 'caller-accepted'),
  row('key-thief', 'orchestrator', 'GET /v1/health', 'refuse', [200]),
  // router: the manager only.
  row('manager', 'router', 'GET /v1/health', 'pass', [200]),
  row('browser', 'router', 'GET /v1/health', 'refuse', [401, 'SIGNATURE_MISSING']),
  row('shell', 'router', 'GET /v1/health', 'refuse', [401, 'CALLER_UNKNOWN']),
  row('key-thief', 'router', 'GET /v1/health', 'refuse', [200]),
  // Backups (every site's files and databases, the ACME account): the manager's alone, at both layers.
  row('manager', 'router', 'GET /v1/backup/state', 'pass', [200]),
  row('shell', 'router', 'GET /v1/backup/state', 'refuse', [401, 'CALLER_UNKNOWN']),
  row('browser', 'router', 'GET /v1/backup/state', 'refuse', [401, 'SIGNATURE_MISSING']),
  row('key-thief', 'router', 'GET /v1/backup/state', 'refuse', [200]),
  row('shell', 'orchestrator', 'GET /v1/backup/sites/1/files', 'refuse', [403, 'ROUTE_FORBIDDEN']),
  row('shell', 'orchestrator', 'POST /v1/backup/databases/1/dump', 'refuse', [403, 'ROUTE_FORBIDDEN']),
  row('browser', 'orchestrator', 'GET /v1/backup/sites/1/files', 'refuse', [401, 'SIGNATURE_MISSING']),
];

/** Paths that nginx and the apps could read differently; none may slip a forbidden prefix past the balancer. */
const PATH_TRICKS: Row[] = [
  ...[
    '/api/../shell-server/auth/password',
    '/api/%2e%2e/shell-server/auth/password',
    '/api/%2E%2E/shell-server/auth/password',
    '/api/..%2fshell-server/auth/password',
    '/api/..%2Fshell-server/auth/password',
    '//shell-server/auth/password',
    '/./shell-server/auth/password',
    '/%73hell-server/auth/password',
    '/shell-server%2fauth/password',
    '/api;/../shell-server/auth/password',
    '/api/..\\shell-server/auth/password',
    '/api/..%5cshell-server/auth/password',
    'http://127.0.0.1/shell-server/auth/password',
  ].map((path) => row('browser', 'manager', `POST ${path}`, 'refuse', 'any')),
  // The shell climbing out of its prefix: refused by the balancer (and, on the orchestrator, by the app when sent directly).
  ...['/shell-server/../api/sites', '/shell-server/%2e%2e/api/sites', '/shell-server//../api/sites'].map((path) =>
    row('shell', 'manager', `GET ${path}`, 'refuse', 'any'),
  ),
  ...[
    '/ws/shell-server/../../v1/health',
    '/ws/shell-server/%2e%2e/%2e%2e/v1/health',
    '/ws/shell-server/1/..%2f..%2f../v1/health',
    '/ws/shell-server//v1/health',
  ].map((path) => row('shell', 'orchestrator', `WS ${path}`, 'refuse', [403, 'ROUTE_FORBIDDEN'])),
];

/** The fallback: a plain-HTTP balancer that knows the shell as 127.0.0.2 and the manager as 127.0.0.3. */
const BY_SOURCE_ADDRESS: (Row & { from: string })[] = [
  { from: '127.0.0.2', ...row('shell', 'manager', SHELL_LOGIN, 'pass', [400, 'VALIDATION_FAILED']) },
  { from: '127.0.0.1', ...row('shell', 'manager', SHELL_LOGIN, 'refuse', [400, 'VALIDATION_FAILED']) },
  { from: '127.0.0.2', ...row('shell', 'manager', 'GET /api/sites', 'refuse', [401, 'UNAUTHENTICATED']) },
  { from: '127.0.0.1', ...row('browser', 'manager', 'GET /api/sites', 'pass', [401, 'UNAUTHENTICATED']) },
  { from: '127.0.0.3', ...row('manager', 'orchestrator', 'GET /v1/health', 'pass', [200]) },
  { from: '127.0.0.1', ...row('manager', 'orchestrator', 'GET /v1/health', 'refuse', [200]) },
  { from: '127.0.0.2', ...row('shell', 'orchestrator', 'WS /ws/shell-server/1', 'pass', 'caller-accepted') },
  { from: '127.0.0.2', ...row('shell', 'orchestrator', 'GET /v1/health', 'refuse', [403, 'ROUTE_FORBIDDEN']) },
];

function describeRow(row: Row): string {
  const notes = [
    row.upgrade && 'upgrade',
    row.token && 'signed in',
    (row.body?.length ?? 0) > 1000 && `${row.body?.length} character body`,
  ];
  const details = notes.filter(Boolean).map((note) => ` (${String(note)})`);
  return `${row.caller} → ${row.target} ${row.method} ${row.path}${details.join('')}: balancer ${row.balancer === 'pass' ? 'passes' : 'refuses'}`;
}

describe('load balancers enforce the trust boundaries in front of the apps', () => {
  let stack: TestStack;
  let ca: InternalCa;
  let foreignCa: InternalCa;
  let foreignDir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let expiredShell: { cert: Buffer; key: Buffer };
  let balancerPorts: Record<Target, number>;
  let fallbackPorts: Record<Target, number>;
  const balancers: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    const [manager, orchestrator, router, fallbackManager, fallbackOrchestrator, fallbackRouter] = await freePorts(6);
    balancerPorts = { manager: manager!, orchestrator: orchestrator!, router: router! };
    fallbackPorts = { manager: fallbackManager!, orchestrator: fallbackOrchestrator!, router: fallbackRouter! };
    stack = await TestStack.start('load-balancer', {
      env: { DAIS_ALLOWED_ORIGINS: `https://127.0.0.1:${manager}`, DAIS_TRUSTED_PROXIES: '127.0.0.1' },
    });
    ca = await setupInternalCa(stack.stateDir);
    foreignDir = await tempDir('foreign-ca');
    foreignCa = await setupInternalCa(foreignDir.path);
    expiredShell = await issueExpiredShellCertificate(ca, foreignDir.path);
    const tls = {
      certificate: join(ca.dir, 'balancer.crt'),
      key: join(ca.dir, 'balancer.key'),
      clientCertificateAuthority: join(ca.dir, 'ca.crt'),
    };
    const target = (role: Target, port: number, upstream: number) => ({
      name: role,
      role,
      listen: { host: '127.0.0.1', port },
      upstreams: [{ host: '127.0.0.1', port: upstream }],
    });
    balancers.push(
      await startBalancer('manager', {
        tls,
        callers: { shell: { certificateCommonName: 'dais-shell' } },
        targets: [target('manager', balancerPorts.manager, stack.ports.manager)],
      }),
      await startBalancer('control', {
        tls,
        callers: { shell: { certificateCommonName: 'dais-shell' }, manager: { certificateCommonName: 'dais-manager' } },
        targets: [
          target('orchestrator', balancerPorts.orchestrator, stack.ports.orchestrator),
          target('router', balancerPorts.router, stack.ports.router),
        ],
      }),
      await startBalancer('by-address', {
        callers: { shell: { sourceAddresses: ['127.0.0.2'] }, manager: { sourceAddresses: ['127.0.0.3/32'] } },
        targets: (['manager', 'orchestrator', 'router'] as const).map((role) => target(role, fallbackPorts[role], stack.ports[role])),
      }),
    );
  });

  afterAll(async () => {
    for (const balancer of balancers) await balancer.stop();
    await stack.stop();
    await foreignDir?.remove();
  });

  /** Where a row's request goes: a balancer (TLS with the caller's certificate, or plain from an address) or the app itself. */
  type Destination = { via: 'balancer' } | { via: 'app' } | { via: 'fallback'; from: string };

  /** Sends a row's request, freshly signed each time (a signature is good for one request). */
  function send(row: Row, destination: Destination): Promise<RawAnswer> {
    const caller = CALLERS[row.caller];
    const headers: Record<string, string> = {};
    if (caller.signsAs) {
      const signer = stack.signer(caller.signsAs, row.target);
      Object.assign(headers, signRequest(signer, { audience: row.target, method: row.method, path: row.path, body: row.body ?? '' }));
    }
    if (row.token) headers.authorization = `Bearer ${stack.adminToken}`;
    if (row.body !== undefined) headers['content-type'] = 'application/json';
    if (row.upgrade) headers.origin = `https://127.0.0.1:${balancerPorts.manager}`;
    const common = {
      method: row.method,
      path: row.path,
      headers,
      upgrade: row.upgrade,
      ...(row.body === undefined ? {} : { body: row.body }),
    };
    switch (destination.via) {
      case 'app':
        return rawRequest({ ...common, port: stack.ports[row.target] });
      case 'fallback':
        return rawRequest({ ...common, port: fallbackPorts[row.target], localAddress: destination.from });
      case 'balancer': {
        const client = !caller.certificate
          ? {}
          : caller.issuer === 'expired'
            ? expiredShell
            : (caller.issuer === 'foreign' ? foreignCa : ca).client(caller.certificate);
        return rawRequest({ ...common, port: balancerPorts[row.target], tls: { ca: ca.ca, ...client } });
      }
    }
  }

  function expectApp(row: Row, answer: RawAnswer): void {
    if (row.app === 'any') return;
    if (row.app === 'caller-accepted') {
      expect(CALLER_REFUSALS, `${answer.status} ${answer.body}`).not.toContain(errorCodeOf(answer));
      expect(answer.status).not.toBe(401);
      return;
    }
    const [status, code] = row.app;
    expect(answer.status, answer.body).toBe(status);
    if (code) expect(errorCodeOf(answer)).toBe(code);
  }

  /** Checks what the balancer did with a row, and what the app answered (directly, if the balancer refused). */
  async function expectRow(row: Row, through: RawAnswer): Promise<void> {
    if (row.balancer === 'pass') {
      expect(through.headers[BALANCER_HEADER], `${through.status} ${through.body}`).toBe('passed');
      expect(errorCodeOf(through)).not.toBe(BALANCER_REFUSAL_CODE);
      expectApp(row, through);
    } else {
      expect(through.status, through.body).toBe(403);
      expect(through.headers[BALANCER_HEADER]).toBe('refused');
      expect(errorCodeOf(through)).toBe(BALANCER_REFUSAL_CODE);
      expectApp(row, await send(row, { via: 'app' }));
    }
  }

  it.each([...MATRIX, ...PATH_TRICKS].map((row) => [describeRow(row), row] as const))('%s', async (_name, row) => {
    await expectRow(row, await send(row, { via: 'balancer' }));
  });

  it.each(BY_SOURCE_ADDRESS.map((row) => [`from ${row.from}: ${describeRow(row)}`, row] as const))(
    'source-address fallback, %s',
    async (_name, row) => {
      await expectRow(row, await send(row, { via: 'fallback', from: row.from }));
    },
  );

  it('replaces a client-supplied X-Forwarded-For with the real client address', async () => {
    const username = `xff-probe-${Date.now()}`;
    const attempt = (port: number, tls?: { ca: Buffer }) =>
      rawRequest({
        port,
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ username, password: 'not-the-password' }),
        ...(tls ? { tls } : {}),
      });
    expect((await attempt(balancerPorts.manager, { ca: ca.ca })).status).toBe(401);
    const recorded = async (): Promise<string> => JSON.stringify((await stack.api('GET', '/api/audit')).json);
    // The manager trusts X-Forwarded-For from 127.0.0.1 (the balancer), so the audit log shows what the balancer sent.
    expect(await recorded()).toMatch(new RegExp(`${username}[^}]*"ip":"127\\.0\\.0\\.1"`));
    // Sent straight to the app from the same trusted address, the forged header would have been believed.
    expect((await attempt(stack.ports.manager)).status).toBe(401);
    expect(await recorded()).toContain('203.0.113.9');
  });
});
