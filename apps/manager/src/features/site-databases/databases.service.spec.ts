import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import { OperationLauncher } from '../operations/operation-launcher';
import type { SiteRepository } from '../sites/site.repository';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import type { SecretBox } from '../../infrastructure/secrets/secret-box';
import { alice, bob, root } from '../../testing/actors';
import { fakeSecretOpener } from '../../testing/fake-secrets';
import { FakeOperationQueue } from '../../testing/fake-operation-queue';
import { InMemoryDatabases } from '../../testing/in-memory-databases';
import { InMemorySites } from '../../testing/in-memory-sites';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { testConfig } from '../../testing/test-config';
import type { DatabaseRepository } from './database.repository';
import { databaseNameFor, DatabasesService } from './databases.service';

/** Alice's site "my-blog" (id 1) without a database, and a PostgreSQL host. */
function setup(env: Record<string, string> = {}) {
  const sites = new InMemorySites();
  sites.seed({ name: 'my-blog' }, [alice.id]);
  const databases = new InMemoryDatabases(sites);
  databases.seedHost({ name: 'pg1', engine: 'postgresql' });
  const queue = new FakeOperationQueue();
  const audit = new RecordingAudit();
  const service = new DatabasesService(
    sites as unknown as SiteRepository,
    databases as unknown as DatabaseRepository,
    new OperationLauncher(queue as unknown as OperationQueue),
    audit as unknown as AuditService,
    fakeSecretOpener as SecretBox,
    testConfig(env),
  );
  return { service, sites, databases, queue, audit };
}

describe('naming site databases', () => {
  it('names database and user after the site, valid on both engines and at most 32 characters', () => {
    expect(databaseNameFor({ id: 7, name: 'my-blog' })).toBe('s7_my_blog');
    expect(databaseNameFor({ id: 7, name: 'my-blog' }, 'dais_')).toBe('dais_s7_my_blog');
    expect(databaseNameFor({ id: 123456, name: 'a'.repeat(32) })).toHaveLength(32);
  });
});

describe('creating a site database', () => {
  it('records the database on the first host of the engine, with a fresh password, and queues its operation', async () => {
    const { service, sites, queue, audit } = setup();
    const operation = await service.create(alice, 1, { engine: 'postgresql' });
    expect(operation).toMatchObject({ kind: 'create_database', state: 'pending' });
    expect(queue.queued).toEqual([operation.id]);
    const database = sites.rows[0]!.database!;
    expect(database).toMatchObject({ name: 's1_my_blog', username: 's1_my_blog', host: { name: 'pg1' } });
    expect(fakeSecretOpener.open(database.password)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(audit.entries).toMatchObject([{ action: 'database.create', details: { engine: 'postgresql', host: 'pg1' } }]);
  });

  it('refuses a second database, and an engine or host nobody registered', async () => {
    const { service, queue } = setup();
    expect((await refusal(service.create(alice, 1, { engine: 'mysql' }))).code).toBe('DATABASE_HOST_NOT_FOUND');
    expect((await refusal(service.create(alice, 1, { engine: 'postgresql', hostId: 5 }))).message).toContain('with id 5');
    await service.create(alice, 1, { engine: 'postgresql' });
    expect((await refusal(service.create(alice, 1, { engine: 'postgresql' }))).code).toBe('DATABASE_EXISTS');
    expect(queue.queued).toHaveLength(1);
  });

  it("refuses someone else's site as if it did not exist, and a locked one to its owners", async () => {
    const { service, sites } = setup();
    expect((await refusal(service.create(bob, 1, { engine: 'postgresql' }))).code).toBe('SITE_NOT_FOUND');
    sites.rows[0]!.availability = 'disabled';
    expect((await refusal(service.create(alice, 1, { engine: 'postgresql' }))).code).toBe('SITE_LOCKED');
    expect(await service.create(root, 1, { engine: 'postgresql' })).toMatchObject({ kind: 'create_database' });
  });
});

describe('connecting, rotating and dropping', () => {
  it('shows members how to connect (and records that they looked)', async () => {
    const { service, audit } = setup();
    expect((await refusal(service.connection(alice, 1))).code).toBe('DATABASE_NOT_FOUND');
    await service.create(alice, 1, { engine: 'postgresql' });
    const connection = await service.connection(alice, 1);
    expect(connection).toMatchObject({ engine: 'postgresql', host: 'db.internal', port: 5432, name: 's1_my_blog' });
    expect(connection.url).toBe(`postgresql://s1_my_blog:${connection.password}@db.internal:5432/s1_my_blog`);
    expect(audit.actions).toEqual(['database.create', 'database.credentials.view']);
  });

  it('rotates to a new password through an operation', async () => {
    const { service, sites, queue } = setup();
    await service.create(alice, 1, { engine: 'postgresql' });
    const before = (await service.connection(alice, 1)).password;
    expect(await service.rotatePassword(alice, 1)).toMatchObject({ kind: 'rotate_database_password' });
    expect(fakeSecretOpener.open(sites.rows[0]!.database!.password)).not.toBe(before);
    expect(queue.queued).toHaveLength(2);
  });

  it('marks the database as going away; after that it is gone for connecting, rotating and dropping', async () => {
    const { service, sites } = setup();
    await service.create(alice, 1, { engine: 'postgresql' });
    expect(await service.delete(alice, 1)).toMatchObject({ kind: 'delete_database' });
    expect(sites.rows[0]!.database!.deleting).toBe(true);
    expect((await refusal(service.connection(alice, 1))).code).toBe('DATABASE_NOT_FOUND');
    expect((await refusal(service.rotatePassword(alice, 1))).code).toBe('DATABASE_NOT_FOUND');
    expect((await refusal(service.delete(alice, 1))).code).toBe('DATABASE_NOT_FOUND');
  });
});
