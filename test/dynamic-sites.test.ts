import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationView, SiteStatus, SiteView } from '@dais/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { TestStack } from './support/stack';

type ErrorAnswer = { error: { code: string; message: string } };
type Connection = { engine: string; host: string; port: number; name: string; username: string; password: string; url: string };

/** A run.sh that publishes what the site sees (its environment) and serves public/. */
const ENV_RUN_SH = '#!/bin/sh\nenv | sort > /site/public/env.txt\nexec httpd -f -p "$PORT" -h /site/public\n';

describe('dynamic sites through the manager (API → queue → orchestrator containers → router)', () => {
  let stack: TestStack;
  let site: SiteView;
  const host = (name: string) => `${name}.dais.localhost`;
  const siteDir = (id: number) => join(stack.stateDir, 'orchestrator/data/sites', String(id));
  const done = (operation: OperationView | { operation: OperationView | null }) =>
    stack.waitForOperation<OperationView>('operation' in operation ? (operation.operation?.id ?? 0) : operation.id, undefined, 120_000);
  const envOf = async (name: string) => (await stack.visit(host(name), '/env.txt')).body;
  // Containers use the sites network's gateway; from this host the same server is on loopback.
  const connectAs = async (connection: Connection) => {
    const client = new pg.Client({
      connectionString: connection.url.replace('@172.30.0.1:', '@127.0.0.1:'),
      connectionTimeoutMillis: 5_000,
    });
    await client.connect();
    await client.end();
  };

  beforeAll(async () => {
    stack = await TestStack.start('dynamic');
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('creates a dynamic site on a catalogue image and serves it through the router', async () => {
    const created = await stack.api<SiteView>('POST', '/api/sites', {
      name: 'webapp',
      type: 'dynamic',
      image: 'busybox',
      env: { GREETING: 'hello' },
    });
    expect(created.status).toBe(202);
    site = created.json;
    expect(site.runtime).toMatchObject({
      image: 'busybox',
      env: { GREETING: 'hello' },
      limits: { memoryMb: 256, cpus: 0.5, pids: 256 },
      stopped: false,
    });
    expect(site.operation?.steps.map((step) => step.name)).toEqual([
      'orchestrator.build_image',
      'orchestrator.ensure_site',
      'router.ensure_routes',
    ]);
    expect((await done(site)).state).toBe('succeeded');
    const page = await eventually(
      () => stack.visit(host('webapp')),
      (p) => p.status === 200,
      20_000,
    );
    expect(page.body).toContain('webapp is ready');
    const status = await stack.api<SiteStatus>('GET', `/api/sites/${site.id}/status`);
    expect(status.json).toMatchObject({ siteId: site.id, state: expect.stringMatching(/running|starting/) });
  });

  it('passes env and secrets to the container; secrets are never shown back', async () => {
    await writeFile(join(siteDir(site.id), 'run.sh'), ENV_RUN_SH);
    await chmod(join(siteDir(site.id), 'run.sh'), 0o755);
    const changed = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, {
      env: { GREETING: 'changed' },
      secrets: { API_KEY: 'k3y' },
    });
    expect(changed.status).toBe(202);
    expect(changed.json.runtime).toMatchObject({ env: { GREETING: 'changed' }, secretNames: ['API_KEY'] });
    expect(JSON.stringify(changed.json)).not.toContain('k3y');
    expect((await done(changed.json)).state).toBe('succeeded');
    const env = await eventually(
      () => envOf('webapp'),
      (text) => text.includes('GREETING=changed'),
      20_000,
    );
    expect(env).toContain('API_KEY=k3y');
    expect(env).toContain('PORT=8080');
  });

  it('stops and starts: stopped sites show the not-served page', async () => {
    expect((await done((await stack.api<OperationView>('POST', `/api/sites/${site.id}/stop`)).json)).state).toBe('succeeded');
    expect((await stack.visit(host('webapp'))).status).toBe(503);
    expect((await stack.api<SiteStatus>('GET', `/api/sites/${site.id}/status`)).json.state).toBe('stopped');
    expect((await done((await stack.api<OperationView>('POST', `/api/sites/${site.id}/start`)).json)).state).toBe('succeeded');
    await eventually(
      () => stack.visit(host('webapp')),
      (p) => p.status === 200,
      20_000,
    );
  });

  it('restarts', async () => {
    const restart = await stack.api<OperationView>('POST', `/api/sites/${site.id}/restart`);
    expect(restart.status).toBe(202);
    expect(restart.json.steps.map((step) => step.name)).toEqual(['orchestrator.restart_site']);
    expect((await done(restart.json)).state).toBe('succeeded');
  });

  describe('limits and availability are for admins, within bounds', () => {
    let userToken: string;

    beforeAll(async () => {
      const { execFileSync } = await import('node:child_process');
      userToken = execFileSync(process.execPath, ['apps/manager/dist/cli/admin.js', 'create-token', '--username', 'owner'], {
        env: { ...process.env, ...stack.env },
      })
        .toString()
        .trim();
    });

    it('refuses limits from a non-admin with 403 naming the field (a non-member gets 404)', async () => {
      expect((await stack.api('PATCH', `/api/sites/${site.id}`, { limits: { memoryMb: 512, cpus: 1, pids: 128 } }, userToken)).status).toBe(
        404,
      );
      const own = await stack.api<SiteView>('POST', '/api/sites', { name: 'owned', type: 'dynamic', image: 'busybox' }, userToken);
      expect(own.status).toBe(202);
      const answer = await stack.api<ErrorAnswer>(
        'PATCH',
        `/api/sites/${own.json.id}`,
        { limits: { memoryMb: 512, cpus: 1, pids: 128 } },
        userToken,
      );
      expect(answer.status).toBe(403);
      expect(answer.json.error.message).toBe("Only admins may change a site's limits.");
    });

    it.each([
      [{ memoryMb: 0, cpus: 1, pids: 128 }, 'memoryMb must be at least 32'],
      [{ memoryMb: 256, cpus: 100, pids: 128 }, 'cpus must be at most 8'],
    ])('refuses impossible limits %j with a 400 naming the bound', async (limits, message) => {
      const answer = await stack.api<ErrorAnswer>('PATCH', `/api/sites/${site.id}`, { limits });
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toContain(message);
    });

    it('applies limits and availability set by an admin', async () => {
      const answer = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, {
        limits: { memoryMb: 128, cpus: 0.25, pids: 64 },
        availability: 'not_served',
      });
      expect(answer.status).toBe(202);
      expect((await done(answer.json)).state).toBe('succeeded');
      expect((await stack.visit(host('webapp'))).status).toBe(503);
      expect((await done((await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, { availability: 'enabled' })).json)).state).toBe(
        'succeeded',
      );
      await eventually(
        () => stack.visit(host('webapp')),
        (p) => p.status === 200,
        20_000,
      );
    });
  });

  describe('a PostgreSQL database for the site', () => {
    let connection: Connection;

    it('is created, shown to members, and given to the container', async () => {
      const created = await stack.api<OperationView>('POST', `/api/sites/${site.id}/database`, { engine: 'postgresql' });
      expect(created.status).toBe(202);
      expect((await done(created.json)).state).toBe('succeeded');
      connection = (await stack.api<Connection>('GET', `/api/sites/${site.id}/database`)).json;
      expect(connection).toMatchObject({
        engine: 'postgresql',
        host: '172.30.0.1',
        port: 5432,
        name: `${stack.env.DAIS_DATABASE_NAME_PREFIX}s${site.id}_webapp`,
        username: `${stack.env.DAIS_DATABASE_NAME_PREFIX}s${site.id}_webapp`,
      });
      await connectAs(connection);
      const env = await eventually(
        () => envOf('webapp'),
        (text) => text.includes('DATABASE_URL='),
        20_000,
      );
      expect(env).toContain(`DATABASE_URL=${connection.url}`);
      expect(env).toContain(`DB_PASSWORD=${connection.password}`);
      const view = (await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json;
      expect(view.database).toEqual({
        engine: 'postgresql',
        host: 'local-postgresql',
        name: connection.name,
        username: connection.username,
      });
      expect(JSON.stringify(view)).not.toContain(connection.password);
    });

    it('refuses a second database with 409', async () => {
      const again = await stack.api<ErrorAnswer>('POST', `/api/sites/${site.id}/database`, { engine: 'mysql' });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('DATABASE_EXISTS');
    });

    it('rotates the password: the old one stops working, the container gets the new one', async () => {
      const rotated = await stack.api<OperationView>('POST', `/api/sites/${site.id}/database/rotate-password`);
      expect((await done(rotated.json)).state).toBe('succeeded');
      const fresh = (await stack.api<Connection>('GET', `/api/sites/${site.id}/database`)).json;
      expect(fresh.password).not.toBe(connection.password);
      await expect(connectAs(connection)).rejects.toThrow(/password authentication failed/);
      await connectAs(fresh);
      await eventually(
        () => envOf('webapp'),
        (text) => text.includes(`DB_PASSWORD=${fresh.password}`),
        20_000,
      );
      connection = fresh;
    });

    it('is dropped: the container forgets it and its user can no longer log in', async () => {
      const dropped = await stack.api<OperationView>('DELETE', `/api/sites/${site.id}/database`);
      expect(dropped.json.steps.map((step) => step.name)).toEqual(['orchestrator.ensure_site', 'orchestrator.drop_database']);
      expect((await done(dropped.json)).state).toBe('succeeded');
      expect((await stack.api('GET', `/api/sites/${site.id}/database`)).status).toBe(404);
      await expect(connectAs(connection)).rejects.toThrow();
      await eventually(
        () => envOf('webapp'),
        (text) => !text.includes('DATABASE_URL'),
        20_000,
      );
    });
  });

  it('a failed image build fails the operation at that step and leaves the site serving its old image; a fix then succeeds', async () => {
    const broken = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, {
      setupCommands: [['sh', '-c', 'echo about to fail; exit 7']],
    });
    const failed = await done(broken.json);
    expect(failed.state).toBe('failed');
    expect(failed.steps.map((step) => step.state)).toEqual(['failed', 'pending', 'pending']);
    expect(failed.steps[0]?.message).toMatch(/exit(ed)? (code )?7|returned a non-zero code: 7/);
    expect((await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json).toMatchObject({
      state: 'active',
      runtime: { builtImage: null },
    });
    expect((await stack.visit(host('webapp'))).status).toBe(200);
    const fixed = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, { setupCommands: [['sh', '-c', 'echo built > /built.txt']] });
    expect((await done(fixed.json)).state).toBe('succeeded');
    const view = (await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json;
    expect(view.runtime?.builtImage).toMatch(/:[0-9a-f]{12}$/);
    await eventually(
      () => stack.visit(host('webapp')),
      (p) => p.status === 200,
      20_000,
    );
  });

  it('builds an image with real packages, whose program reaches the site database with DATABASE_URL', async () => {
    const created = await stack.api<SiteView>('POST', '/api/sites', {
      name: 'dbapp',
      type: 'dynamic',
      image: 'debian',
      packages: ['postgresql-client', 'busybox'],
    });
    expect(created.status).toBe(202);
    const id = created.json.id;
    const built = await done(created.json);
    expect(built.state, JSON.stringify(built)).toBe('succeeded');
    await writeFile(
      join(siteDir(id), 'run.sh'),
      '#!/bin/sh\npsql "$DATABASE_URL" -qtAc "create table if not exists visits (n int); insert into visits values (1); select count(*) from visits" > /site/public/db.txt 2>&1\nexec busybox httpd -f -p "$PORT" -h /site/public\n',
    );
    expect((await done((await stack.api<OperationView>('POST', `/api/sites/${id}/database`, { engine: 'postgresql' })).json)).state).toBe(
      'succeeded',
    );
    const page = await eventually(
      () => stack.visit(host('dbapp'), '/db.txt'),
      (p) => p.status === 200 && p.body.trim() === '1',
      60_000,
      250,
    );
    expect(page.body.trim()).toBe('1');
  }, 240_000);

  describe('refuses what cannot work, with a 400 naming the problem', () => {
    it.each([
      [{ name: 'noimage', type: 'dynamic' }, 'needs an image'],
      [{ name: 'badimage', type: 'dynamic', image: 'nosuch' }, 'no image "nosuch"'],
      [{ name: 'pkgs', type: 'dynamic', image: 'busybox', packages: ['curl'] }, 'cannot install packages'],
      [{ name: 'inject', type: 'dynamic', image: 'debian', packages: ['curl; rm -rf /'] }, 'must be a package name'],
      [{ name: 'option', type: 'dynamic', image: 'debian', packages: ['--allow-unauthenticated'] }, 'must be a package name'],
      [{ name: 'staticpkgs', type: 'static', packages: ['curl'] }, 'for dynamic sites'],
      [{ name: 'badenv', type: 'dynamic', image: 'busybox', env: { PORT: '1' } }, 'cannot be overridden'],
    ])('%j', async (body, message) => {
      const answer = await stack.api<ErrorAnswer>('POST', '/api/sites', body);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toContain(message);
    });
  });

  it('deletes a dynamic site with a database: container, route and database all go', async () => {
    const sites = await stack.api<{ sites: SiteView[] }>('GET', '/api/sites');
    const dbapp = sites.json.sites.find((candidate) => candidate.name === 'dbapp');
    const connection = (await stack.api<Connection>('GET', `/api/sites/${dbapp?.id ?? 0}/database`)).json;
    const deletion = await stack.api<OperationView>('DELETE', `/api/sites/${dbapp?.id ?? 0}`, { confirm: dbapp?.name });
    expect(deletion.json.steps.map((step) => step.name)).toEqual([
      'router.remove_routes',
      'orchestrator.remove_site',
      'orchestrator.drop_database',
    ]);
    expect((await done(deletion.json)).state).toBe('succeeded');
    expect((await stack.visit(host('dbapp'))).status).toBe(404);
    await expect(connectAs(connection)).rejects.toThrow();
  });
});
