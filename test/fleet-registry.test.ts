import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { keyFilePaths, type AppHostView, type RouterView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/dev-env';
import { eventually } from './support/http';
import { writeComponentKeys } from './support/keys';
import { freePorts } from './support/ports';
import { TestStack, type ApiAnswer } from './support/stack';

const run = promisify(execFile);

type ErrorBody = { error: { code: string; message: string } };
const codeOf = (answer: ApiAnswer) => (answer.json as Partial<ErrorBody> | null)?.error?.code;
/** A failed admin command: its exit code and what it printed on stderr. */
const failure = (error: unknown) => error as { stderr: string; code: number };

describe('fleet registry: the app hosts and routers the manager drives', () => {
  let stack: TestStack;
  let keysDir: string;
  /** The extra orchestrator and router this test runs beside the stack's own. */
  const second = { orchestrator: '', router: '' };

  const appHosts = async () => (await stack.api<{ appHosts: AppHostView[] }>('GET', '/api/admin/app-hosts')).json.appHosts;
  const routers = async () => (await stack.api<{ routers: RouterView[] }>('GET', '/api/admin/routers')).json.routers;
  const publicKeyOf = (id: string) => readFile(keyFilePaths(keysDir, id).publicKey, 'utf8');
  /** The registry's rows and the audit log's fleet entries: what a refused change must leave as it was. */
  const registryState = async () =>
    JSON.stringify(
      await Promise.all([
        stack.database.query('select id, name, url, "peerId", "publicKey", state, capacity from "AppHost" order by id'),
        stack.database.query('select id, name, url, "peerId", "publicKey" from "Router" order by id'),
        stack.database.query(`select count(*) from "AuditEvent" where action like 'fleet.%'`),
      ]),
    );
  const admin = (...args: string[]) =>
    run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], { env: { ...process.env, ...stack.env } });

  /** Runs another orchestrator or router process under its own id, ports and state folder, sharing the stack's keys. */
  async function startSecond(kind: 'orchestrator' | 'router', id: string): Promise<string> {
    await writeComponentKeys(keysDir, [id]);
    const [api, data, status] = await freePorts(3);
    const env: Record<string, string> = {
      DAIS_STATE_DIR: join(stack.stateDir, id),
      DAIS_KEYS_DIR: keysDir,
      ...(kind === 'orchestrator'
        ? {
            DAIS_ORCHESTRATOR_ID: id,
            DAIS_ORCHESTRATOR_PORT: String(api),
            DAIS_ORCHESTRATOR_SITES_PORT: String(data),
            DAIS_ORCHESTRATOR_STATUS_PORT: String(status),
            // Its own containers: it must never take the stack orchestrator's for strays.
            DAIS_SITE_NAME_PREFIX: `${stack.env.DAIS_SITE_NAME_PREFIX}b-`,
          }
        : {
            DAIS_ROUTER_ID: id,
            DAIS_ROUTER_PORT: String(api),
            DAIS_ROUTER_HTTP_PORT: String(data),
            DAIS_ROUTER_STATUS_PORT: String(status),
          }),
    };
    stack.startProcess(kind, { as: id, env });
    const url = `http://127.0.0.1:${api}`;
    const up = await eventually(
      // Any answer will do (unsigned, it is a 401): the process listens.
      () =>
        fetch(`${url}/v1/health`).then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      30_000,
      100,
    );
    expect(up, `${id} did not start:\n${stack.logOf(id).slice(-2000)}`).toBe(true);
    return url;
  }

  beforeAll(async () => {
    stack = await TestStack.start('fleet', { env: { DAIS_FLEET_HEALTH_INTERVAL_MS: '500' } });
    keysDir = join(stack.stateDir, 'keys');
    [second.orchestrator, second.router] = await Promise.all([
      startSecond('orchestrator', 'orchestrator-2'),
      startSecond('router', 'router-2'),
    ]);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('lists the configured orchestrator and router as `local` after start, healthy, with their version', async () => {
    const hosts = await eventually(appHosts, (list) => list[0]?.lastSeen.health === 'ok');
    expect(hosts).toEqual([
      expect.objectContaining({
        name: 'local',
        url: `http://127.0.0.1:${stack.ports.orchestrator}`,
        peerId: 'orchestrator',
        runtime: 'docker',
        state: 'active',
        lastSeen: expect.objectContaining({ health: 'ok', version: { protocol: 1, package: '0.1.0' }, lastError: null }),
      }),
    ]);
    expect(hosts[0]?.publicKey).toBe(await publicKeyOf('orchestrator'));
    const edge = await eventually(routers, (list) => list[0]?.lastSeen.health === 'ok');
    expect(edge).toEqual([
      expect.objectContaining({
        name: 'local',
        url: `http://127.0.0.1:${stack.ports.router}`,
        peerId: 'router',
        lastSeen: expect.objectContaining({ health: 'ok', version: { protocol: 1, package: '0.1.0' } }),
      }),
    ]);
  });

  it('refuses, writing nothing, a peer that does not answer, answers as another identity, or holds another key', async () => {
    const before = await registryState();
    const [closed] = await freePorts(1);
    const routerUrl = `http://127.0.0.1:${stack.ports.router}`;
    const cases: [what: string, path: string, body: Record<string, unknown>, code: string, says: RegExp][] = [
      [
        'nothing listens at the URL',
        '/api/admin/app-hosts',
        {
          name: 'ghost',
          url: `http://127.0.0.1:${closed}`,
          peerId: 'orchestrator-9',
          publicKey: await publicKeyOf('orchestrator-2'),
          capacity: 10,
        },
        'FLEET_PEER_UNREACHABLE',
        /Nothing answers at/,
      ],
      [
        "the router's URL given as an app host (as the router's id)",
        '/api/admin/app-hosts',
        { name: 'wrong', url: routerUrl, peerId: 'router', publicKey: await publicKeyOf('router'), capacity: 10 },
        'FLEET_IDENTITY_MISMATCH',
        /is a router, not an app host/,
      ],
      [
        "the router's URL given as an app host (as an orchestrator's id)",
        '/api/admin/app-hosts',
        { name: 'wrong', url: routerUrl, peerId: 'orchestrator-2', publicKey: await publicKeyOf('orchestrator-2'), capacity: 10 },
        'FLEET_IDENTITY_MISMATCH',
        /refused a request signed for "orchestrator-2"/,
      ],
      [
        "the second orchestrator with another peer's public key",
        '/api/admin/app-hosts',
        { name: 'wrong', url: second.orchestrator, peerId: 'orchestrator-2', publicKey: await publicKeyOf('orchestrator'), capacity: 10 },
        'FLEET_IDENTITY_MISMATCH',
        /holds another key/,
      ],
      [
        "an orchestrator's URL given as a router",
        '/api/admin/routers',
        { name: 'wrong', url: second.orchestrator, peerId: 'orchestrator-2', publicKey: await publicKeyOf('orchestrator-2') },
        'FLEET_IDENTITY_MISMATCH',
        /is an app host \(orchestrator\), not a router/,
      ],
    ];
    for (const [what, path, body, code, says] of cases) {
      const refused = await stack.api('POST', path, body);
      expect(refused.status, what).toBe(422);
      expect(codeOf(refused), what).toBe(code);
      expect((refused.json as ErrorBody).error.message, what).toMatch(says);
    }
    expect(await registryState()).toBe(before);

    // The admin tool refuses the same way, with the same words.
    const cli = await admin(
      'hosts',
      'add',
      '--name',
      'ghost',
      '--url',
      `http://127.0.0.1:${closed}`,
      '--peer-id',
      'orchestrator-9',
      '--public-key-file',
      keyFilePaths(keysDir, 'orchestrator-2').publicKey,
      '--capacity',
      '5',
    ).then(
      () => null,
      (error: unknown) => failure(error),
    );
    expect(cli?.code).toBe(1);
    expect(cli?.stderr).toMatch(/Nothing answers at/);
    expect(await registryState()).toBe(before);
  });

  it('adds a second real orchestrator and router, which show as healthy', async () => {
    const host = await stack.api<AppHostView>('POST', '/api/admin/app-hosts', {
      name: 'east',
      url: second.orchestrator,
      peerId: 'orchestrator-2',
      publicKey: await publicKeyOf('orchestrator-2'),
      capacity: 250,
    });
    expect(host.status, JSON.stringify(host.json)).toBe(201);
    expect(host.json).toMatchObject({ name: 'east', capacity: 250, state: 'active', lastSeen: { health: 'ok', siteCount: 0 } });
    const cli = await admin(
      'routers',
      'add',
      '--name',
      'edge-2',
      '--url',
      second.router,
      '--peer-id',
      'router-2',
      '--public-key-file',
      keyFilePaths(keysDir, 'router-2').publicKey,
    );
    expect(cli.stdout).toMatch(/added router edge-2 .* ok, 0\.1\.0 \(protocol 1\)/);
    expect((await appHosts()).map((entry) => [entry.name, entry.lastSeen.health])).toEqual([
      ['local', 'ok'],
      ['east', 'ok'],
    ]);
    expect((await routers()).map((entry) => [entry.name, entry.lastSeen.health])).toEqual([
      ['local', 'ok'],
      ['edge-2', 'ok'],
    ]);
    // And the health job sees the new ones on its next tick (lastSeenAt moves on).
    const addedAt = host.json.lastSeen.lastSeenAt!;
    const later = await eventually(appHosts, (list) => (list[1]?.lastSeen.lastSeenAt ?? '') > addedAt);
    expect(later[1]?.lastSeen.health).toBe('ok');
  });

  it('drains and undrains an app host; members may not (403)', async () => {
    const drained = await stack.api<AppHostView>('POST', '/api/admin/app-hosts/east/drain');
    expect(drained.status).toBe(200);
    expect((await appHosts()).find((entry) => entry.name === 'east')?.state).toBe('draining');
    expect((await admin('hosts', 'list')).stdout).toMatch(/^east .* draining/m);

    const member = (await admin('create-token', '--username', 'mallory')).stdout.trim();
    for (const [method, path] of [
      ['GET', '/api/admin/app-hosts'],
      ['GET', '/api/admin/routers'],
      ['POST', '/api/admin/app-hosts/east/undrain'],
      ['DELETE', '/api/admin/app-hosts/east'],
      ['DELETE', '/api/admin/routers/edge-2'],
    ] as const)
      expect((await stack.api(method, path, undefined, member)).status, `${method} ${path}`).toBe(403);
    expect((await appHosts()).find((entry) => entry.name === 'east')?.state).toBe('draining');

    expect((await stack.api<AppHostView>('POST', '/api/admin/app-hosts/east/undrain')).json.state).toBe('active');
  });

  it('refuses to remove the local host while it has sites; removes a host and a router that have none', async () => {
    await stack.createSite('kept');
    const refused = await stack.api('DELETE', '/api/admin/app-hosts/local');
    expect(refused.status).toBe(409);
    expect(codeOf(refused)).toBe('APP_HOST_HAS_SITES');
    expect((refused.json as ErrorBody).error.message).toMatch(/still has 1 site\(s\); move them/);
    const cli = await admin('hosts', 'remove', 'local').then(
      () => null,
      (error: unknown) => failure(error),
    );
    expect(cli?.stderr).toMatch(/still has 1 site/);

    expect((await stack.api('DELETE', '/api/admin/app-hosts/east')).status).toBe(204);
    expect((await stack.api('DELETE', '/api/admin/routers/edge-2')).status).toBe(204);
    expect((await appHosts()).map((entry) => entry.name)).toEqual(['local']);
    expect((await routers()).map((entry) => entry.name)).toEqual(['local']);
    const actions = await stack.database.query<{ action: string }>(
      `select action from "AuditEvent" where action like 'fleet.%' order by id`,
    );
    expect(actions.map((row) => row.action)).toEqual([
      'fleet.app_host.add',
      'fleet.router.add',
      'fleet.app_host.drain',
      'fleet.app_host.undrain',
      'fleet.app_host.remove',
      'fleet.router.remove',
    ]);
  });
});
