import { describe, expect, it } from 'vitest';
import { isDaisError, type DatabaseHost, type SiteDatabaseDrop, type SiteDatabaseSpec } from '@dais/shared';
import type { DatabaseEngine, DatabaseEngineAdapter } from './database-engine';
import { SiteDatabaseService } from './site-database.service';

/** A strict fake: records each call and lets the test decide when and how it settles. */
class FakeAdapter implements DatabaseEngineAdapter {
  readonly calls: { kind: 'ensure' | 'drop'; siteId: number; settle: (outcome: boolean | Error) => void }[] = [];

  constructor(readonly engine: DatabaseEngine) {}

  ensure(spec: SiteDatabaseSpec): Promise<{ created: boolean }> {
    return this.record('ensure', spec).then((created) => ({ created }));
  }

  drop(spec: SiteDatabaseDrop): Promise<{ dropped: boolean }> {
    return this.record('drop', spec).then((dropped) => ({ dropped }));
  }

  private record(kind: 'ensure' | 'drop', spec: SiteDatabaseDrop): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.calls.push({ kind, siteId: spec.siteId, settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)) });
    });
  }
}

const host = (engine: DatabaseEngine): DatabaseHost => ({
  engine,
  adminHost: '127.0.0.1',
  adminPort: engine === 'postgresql' ? 5432 : 3306,
  adminUser: 'dais_dbadmin',
  adminPassword: 'admin-secret',
});
const spec = (siteId: number, engine: DatabaseEngine = 'postgresql', names: Partial<SiteDatabaseSpec> = {}): SiteDatabaseSpec => ({
  siteId,
  host: host(engine),
  name: `site_${siteId}`,
  username: `site_${siteId}`,
  password: 'p'.repeat(32),
  ...names,
});
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(): { service: SiteDatabaseService; postgresql: FakeAdapter; mysql: FakeAdapter } {
  const postgresql = new FakeAdapter('postgresql');
  const mysql = new FakeAdapter('mysql');
  return { service: new SiteDatabaseService({ postgresql, mysql }), postgresql, mysql };
}

describe('SiteDatabaseService', () => {
  it("sends each request to its host's engine and answers with what changed", async () => {
    const { service, postgresql, mysql } = setup();
    const created = service.apply(spec(1, 'mysql'));
    await tick();
    expect(postgresql.calls).toHaveLength(0);
    expect(mysql.calls.map((call) => call.kind)).toEqual(['ensure']);
    mysql.calls[0]!.settle(true);
    expect(await created).toEqual({ siteId: 1, engine: 'mysql', name: 'site_1', username: 'site_1', changed: true });

    const dropped = service.drop(spec(2, 'postgresql'));
    await tick();
    postgresql.calls[0]!.settle(false);
    expect(await dropped).toMatchObject({ siteId: 2, engine: 'postgresql', changed: false });
    expect(mysql.calls).toHaveLength(1);
  });

  it('runs one request per site at a time, in arrival order, and other sites in parallel', async () => {
    const { service, postgresql } = setup();
    const first = service.apply(spec(1));
    const second = service.drop(spec(1));
    const other = service.apply(spec(2));
    await tick();
    expect(postgresql.calls.map((call) => `${call.kind}:${call.siteId}`)).toEqual(['ensure:1', 'ensure:2']);
    postgresql.calls[0]!.settle(true);
    await first;
    await tick();
    expect(postgresql.calls.map((call) => `${call.kind}:${call.siteId}`)).toEqual(['ensure:1', 'ensure:2', 'drop:1']);
    postgresql.calls[1]!.settle(true);
    postgresql.calls[2]!.settle(true);
    await Promise.all([second, other]);
  });

  it("passes an adapter's error on and still serves the site's next request", async () => {
    const { service, postgresql } = setup();
    const failing = service.apply(spec(1));
    const next = service.apply(spec(1));
    await tick();
    postgresql.calls[0]!.settle(new Error('host down'));
    await expect(failing).rejects.toThrow('host down');
    await tick();
    postgresql.calls[1]!.settle(false);
    expect((await next).changed).toBe(false);
  });

  describe('refuses reserved or mismatched names before any adapter is called', () => {
    it.each([
      ['the postgres database', spec(1, 'postgresql', { name: 'postgres', username: 'postgres' })],
      ['a template database', spec(1, 'postgresql', { name: 'template1', username: 'template1' })],
      ['the postgres role', spec(1, 'postgresql', { username: 'postgres' })],
      ['a pg_ role', spec(1, 'postgresql', { name: 'pg_monitor', username: 'pg_monitor' })],
      ['the group of site roles', spec(1, 'postgresql', { name: 'dais_sites', username: 'dais_sites' })],
      ['the mysql schema', spec(1, 'mysql', { name: 'mysql', username: 'mysql' })],
      ['information_schema', spec(1, 'mysql', { name: 'information_schema', username: 'information_schema' })],
      ['the root user', spec(1, 'mysql', { name: 'root', username: 'root' })],
      ["the host's own admin user", spec(1, 'mysql', { name: 'dais_dbadmin', username: 'dais_dbadmin' })],
      ['a user named unlike its database', spec(1, 'postgresql', { username: 'site_2' })],
    ])('%s', async (_label, request) => {
      const { service, postgresql, mysql } = setup();
      for (const answer of [service.apply(request), service.drop(request)]) {
        const error: unknown = await answer.catch((caught: unknown) => caught);
        expect(isDaisError(error, 'VALIDATION_FAILED')).toBe(true);
      }
      expect([...postgresql.calls, ...mysql.calls]).toHaveLength(0);
    });

    it('but lets a site use a name another engine reserves', async () => {
      const { service, mysql } = setup();
      const answer = service.apply(spec(1, 'mysql', { name: 'postgres', username: 'postgres' }));
      await tick();
      mysql.calls[0]!.settle(true);
      expect((await answer).name).toBe('postgres');
    });
  });
});
