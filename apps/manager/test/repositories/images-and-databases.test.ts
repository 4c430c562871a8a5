import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageRepository, type NewImage } from '../../src/features/images/image.repository';
import { DatabaseRepository, type NewDatabaseHost } from '../../src/features/site-databases/database.repository';
import { SiteRepository } from '../../src/features/sites/site.repository';
import { insertUser, openRepositoryDatabase, type RepositoryDatabase, newSiteFields } from './repository-database';

const image = (name: string, runScript = 'exec node server.js'): NewImage => ({
  name,
  baseImage: 'node:22-bookworm-slim',
  description: '',
  packageUpdate: ['apt-get', 'update'],
  packageInstall: null,
  runScript,
});

const host = (name: string, adminPassword = 'admin-secret'): NewDatabaseHost => ({
  name,
  engine: 'postgresql',
  adminHost: '127.0.0.1',
  adminPort: 5432,
  adminUser: 'postgres',
  adminPassword,
  siteHost: '10.0.0.1',
  sitePort: 5432,
});

describe('ImageRepository and DatabaseRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let images: ImageRepository;
  let databases: DatabaseRepository;
  let sites: SiteRepository;
  let owner: number;

  beforeAll(async () => {
    db = await openRepositoryDatabase('images');
    images = new ImageRepository(db.prisma);
    databases = new DatabaseRepository(db.prisma, db.box);
    sites = new SiteRepository(db.prisma, db.box);
    owner = await insertUser(db.prisma, 'owner');
  });

  afterAll(async () => {
    await db.close();
  });

  it('adds an image once by name, keeps "no package command" as SQL NULL, and upserts by name', async () => {
    expect(await images.create(image('node'))).toMatchObject({ name: 'node', packageUpdate: ['apt-get', 'update'], packageInstall: null });
    expect(await images.create(image('node'))).toBeNull();
    const [row] = await db.database.query<{ null_install: boolean }>(`SELECT "packageInstall" IS NULL AS null_install FROM "Image"`);
    expect(row?.null_install).toBe(true);
    await images.upsert(image('node', 'exec npm start'));
    await images.upsert(image('alpine'));
    expect((await images.list()).map((entry) => [entry.name, entry.runScript])).toEqual([
      ['alpine', 'exec node server.js'],
      ['node', 'exec npm start'],
    ]);
  });

  it('refuses to delete an image a site runs (restrict)', async () => {
    const node = (await images.findByName('node'))!;
    await sites.createWithOperation(newSiteFields('app', owner, { type: 'dynamic', imageId: node.id }));
    await expect(db.prisma.image.delete({ where: { id: node.id } })).rejects.toThrow();
    expect(await images.findByName('node')).not.toBeNull();
  });

  it('registers a host once by name, its admin password sealed for its own row', async () => {
    const created = (await databases.createHost(host('pg-1')))!;
    expect(created).toMatchObject({ name: 'pg-1', engine: 'postgresql' });
    expect(db.box.open(created.adminPassword)).toBe('admin-secret');
    const [stored] = await db.database.query<{ adminPassword: string }>(`SELECT "adminPassword" FROM "DatabaseHost" WHERE id = $1`, [
      created.id,
    ]);
    expect(stored?.adminPassword).not.toContain('admin-secret');
    expect(await databases.createHost(host('pg-1'))).toBeNull();
    const updated = await databases.upsertHost(host('pg-1', 'rotated'));
    expect(updated.id).toBe(created.id);
    expect(db.box.open(updated.adminPassword)).toBe('rotated');
    await databases.createHost(host('pg-2'));
    expect((await databases.findHost('postgresql'))?.name).toBe('pg-1');
    expect(await databases.findHost('mysql')).toBeNull();
    expect((await databases.listHosts()).map((entry) => entry.name)).toEqual(['pg-1', 'pg-2']);
  });

  it('records a site database with its operation in one transaction, once per site; names are unique per host', async () => {
    const site = (await sites.findByName('app'))!;
    const hostId = (await databases.findHost('postgresql'))!.id;
    const database = { siteId: site.id, hostId, name: 'app_db', username: 'app_user', password: 'site-secret' };
    const operation = await databases.createWithOperation(database, owner);
    expect(operation).toMatchObject({ siteId: site.id, kind: 'create_database' });
    expect(operation?.steps.length).toBeGreaterThan(0);
    const before = await db.prisma.operation.count();
    expect(await databases.createWithOperation(database, owner)).toBeNull();
    expect(await db.prisma.operation.count()).toBe(before);

    const other = await sites.createWithOperation(newSiteFields('other', owner));
    expect(await databases.createWithOperation({ ...database, siteId: other!.site.id }, owner)).toBeNull();

    const withDatabase = await sites.find(site.id);
    expect(withDatabase?.database).toMatchObject({ name: 'app_db', deleting: false, host: { name: 'pg-1' } });
    expect(db.box.open(withDatabase!.database!.password)).toBe('site-secret');
  });

  it('rotates the password and marks the database deleting, each with its operation', async () => {
    const site = (await sites.findByName('app'))!;
    expect(await databases.rotateWithOperation(site.id, 'new-secret', owner)).toMatchObject({ kind: 'rotate_database_password' });
    expect(db.box.open((await sites.find(site.id))!.database!.password)).toBe('new-secret');
    expect(await databases.deleteWithOperation(site.id, owner)).toMatchObject({ kind: 'delete_database' });
    expect((await sites.find(site.id))?.database?.deleting).toBe(true);
  });

  it('refuses to delete a host that holds a site database (restrict)', async () => {
    const hostId = (await databases.findHost('postgresql'))!.id;
    await expect(db.prisma.databaseHost.delete({ where: { id: hostId } })).rejects.toThrow();
  });
});
