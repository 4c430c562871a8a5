import { DaisError, type SqlQueryResult } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { SiteRepository } from '../sites/site.repository';
import type { SecretBox } from '../../infrastructure/secrets/secret-box';
import { alice, bob } from '../../testing/actors';
import { fakeSecretOpener } from '../../testing/fake-secrets';
import { InMemoryDatabases } from '../../testing/in-memory-databases';
import { InMemorySites } from '../../testing/in-memory-sites';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { fakeOrchestrator } from '../../testing/scripted-peer';
import { DatabaseQueryService } from './database-query.service';

const result: SqlQueryResult = {
  engine: 'postgresql',
  columns: [{ name: 'n', type: 'text' }],
  rows: [['confidential row']],
  rowCount: 1,
  truncated: false,
  command: 'SELECT',
  durationMs: 3,
};

/** Alice's site "blog" (id 1) with a PostgreSQL database, and "docs" (id 2) without one. */
async function setup() {
  const sites = new InMemorySites();
  sites.seed({ name: 'blog' }, [alice.id]);
  sites.seed({ name: 'docs' }, [alice.id]);
  const databases = new InMemoryDatabases(sites);
  databases.seedHost({ name: 'pg1', engine: 'postgresql', adminHost: 'pg.admin', siteHost: 'pg.sites' });
  await databases.createWithOperation({ siteId: 1, hostId: 1, name: 's1_blog', username: 's1_blog', password: 'pw' }, alice.id);
  const orchestrator = fakeOrchestrator();
  const audit = new RecordingAudit();
  const service = new DatabaseQueryService(
    sites as unknown as SiteRepository,
    orchestrator.client,
    audit as unknown as AuditService,
    fakeSecretOpener as SecretBox,
  );
  return { service, sites, orchestrator, audit };
}

describe('the SQL console', () => {
  it("runs the statement as the site's own user, at the host's admin address, with limits", async () => {
    const { service, orchestrator, audit } = await setup();
    orchestrator.answer('queryDatabase', () => result);
    expect(await service.run(alice, 1, { sql: 'select 1 as n' })).toEqual(result);
    const [query] = orchestrator.callsTo('queryDatabase').map(([call]) => call);
    expect(query).toMatchObject({
      siteId: 1,
      sql: 'select 1 as n',
      connection: { engine: 'postgresql', host: 'pg.admin', name: 's1_blog', username: 's1_blog', password: 'pw' },
    });
    expect(query?.timeoutMs).toBeGreaterThan(0);
    expect(query?.maxRows).toBeGreaterThan(0);
    expect(audit.entries).toMatchObject([
      { action: 'database.query', details: { statement: 'select 1 as n', outcome: 'ok', command: 'SELECT', rowCount: 1 } },
    ]);
  });

  it('audits only the start of a long statement, and never its results or the password', async () => {
    const { service, orchestrator, audit } = await setup();
    orchestrator.answer('queryDatabase', () => result);
    await service.run(alice, 1, { sql: `select '${'x'.repeat(500)}'` });
    expect(audit.entries[0]!.details['statement']).toHaveLength(200);
    expect(JSON.stringify(audit.entries)).not.toMatch(/"pw"|confidential row/);
  });

  it("records the refusal's code when the orchestrator refuses, and passes the refusal on", async () => {
    const { service, orchestrator, audit } = await setup();
    orchestrator.answer('queryDatabase', () => {
      throw new DaisError('DATABASE_QUERY_FAILED', 'syntax error at or near "selec"');
    });
    expect((await refusal(service.run(alice, 1, { sql: 'selec 1' }))).code).toBe('DATABASE_QUERY_FAILED');
    orchestrator.fail('queryDatabase');
    await expect(service.run(alice, 1, { sql: 'select 1' })).rejects.toThrow('orchestrator is unreachable');
    expect(audit.entries.map((entry) => entry.details['outcome'])).toEqual(['DATABASE_QUERY_FAILED', 'INTERNAL']);
  });

  it('refuses a site without a database, one being dropped, and sites the user is not a member of, asking nobody', async () => {
    const { service, sites } = await setup();
    expect((await refusal(service.run(alice, 2, { sql: 'select 1' }))).code).toBe('DATABASE_NOT_FOUND');
    expect((await refusal(service.run(bob, 1, { sql: 'select 1' }))).code).toBe('SITE_NOT_FOUND');
    sites.rows[0]!.database!.deleting = true;
    expect((await refusal(service.run(alice, 1, { sql: 'select 1' }))).code).toBe('DATABASE_NOT_FOUND');
    sites.rows[0]!.availability = 'disabled';
    expect((await refusal(service.run(alice, 1, { sql: 'select 1' }))).code).toBe('SITE_LOCKED');
  });
});
