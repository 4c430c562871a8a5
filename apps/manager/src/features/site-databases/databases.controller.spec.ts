import { describe, expect, it, vi } from 'vitest';
import { hostPasswordPlace, SealedSecret } from '../../infrastructure/secrets/sealed-secret';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER, OUTSIDER } from '../../testing/http/users';
import type { DatabaseHostRecord } from './database-host-record';
import type { DatabaseRepository } from './database.repository';
import { DatabaseHostsController, SiteDatabaseController } from './databases.controller';
import type { DatabasesService } from './databases.service';

const OPERATION = { id: 90 };

describe('SiteDatabaseController', () => {
  const controllerWith = (arranged: Partial<DatabasesService>) =>
    new SiteDatabaseController(strictFake<DatabasesService>('DatabasesService', arranged));

  it('creates a database from a checked body', async () => {
    const create = vi.fn().mockResolvedValue(OPERATION);
    const controller = controllerWith({ create });
    expect(await controller.create(MEMBER, { id: '7' }, { engine: 'postgresql' })).toBe(OPERATION);
    expect(create).toHaveBeenCalledWith(MEMBER, 7, expect.objectContaining({ engine: 'postgresql' }));
    expect(await bodyTable({ engine: 'postgresql' }, (body) => controller.create(MEMBER, { id: '7' }, body), create)).toMatchSnapshot();
    await expectPathIdChecked((id) => controller.create(MEMBER, { id }, { engine: 'postgresql' }), create);
  });

  describe.each([
    ['connection', 'connection'],
    ['rotate', 'rotatePassword'],
    ['delete', 'delete'],
  ] as const)('%s', (route, method) => {
    it(`calls ${method} with the site id and answers what it answers`, async () => {
      const call = vi.fn().mockResolvedValue(OPERATION);
      const controller = controllerWith({ [method]: call });
      expect(await controller[route](MEMBER, { id: '7' })).toBe(OPERATION);
      expect(call).toHaveBeenCalledWith(MEMBER, 7);
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }), call);
    });
  });
});

describe('DatabaseHostsController', () => {
  const HOST = {
    id: 3,
    name: 'main',
    engine: 'postgresql',
    adminHost: '127.0.0.1',
    adminPort: 5432,
    adminUser: 'dais',
    adminPassword: new SealedSecret('sealed', hostPasswordPlace(3)),
    siteHost: '172.30.0.1',
    sitePort: 5432,
    createdAt: new Date(),
  } as unknown as DatabaseHostRecord;
  const VIEW = {
    id: 3,
    name: 'main',
    engine: 'postgresql',
    adminHost: '127.0.0.1',
    adminPort: 5432,
    adminUser: 'dais',
    siteHost: '172.30.0.1',
    sitePort: 5432,
  };
  const NEW_HOST = {
    name: 'main',
    engine: 'postgresql',
    adminHost: '127.0.0.1',
    adminPort: 5432,
    adminUser: 'dais',
    adminPassword: 'secret',
    siteHost: '172.30.0.1',
    sitePort: 5432,
  };
  const controllerWith = (arranged: Partial<DatabaseRepository>) =>
    new DatabaseHostsController(strictFake<DatabaseRepository>('DatabaseRepository', arranged));

  it('lists hosts for admins, never with their admin password', async () => {
    expect(await controllerWith({ listHosts: vi.fn().mockResolvedValue([HOST]) }).list(ADMIN)).toEqual({ hosts: [VIEW] });
  });

  it('registers a checked host for admins, answering its view', async () => {
    const createHost = vi.fn().mockResolvedValue(HOST);
    const controller = controllerWith({ createHost });
    expect(await controller.create(ADMIN, NEW_HOST)).toEqual(VIEW);
    expect(createHost).toHaveBeenCalledWith(expect.objectContaining(NEW_HOST));
    expect(await bodyTable(NEW_HOST, (body) => controller.create(ADMIN, body), createHost)).toMatchSnapshot();
  });

  it('answers NAME_TAKEN for a name already registered', async () => {
    expect((await refusalOf(() => controllerWith({ createHost: vi.fn().mockResolvedValue(null) }).create(ADMIN, NEW_HOST))).code).toBe(
      'NAME_TAKEN',
    );
  });

  it('refuses anyone but an admin, before touching the repository', async () => {
    const controller = controllerWith({});
    for (const user of [MEMBER, OUTSIDER]) {
      expect((await refusalOf(() => controller.list(user))).code).toBe('FORBIDDEN');
      expect((await refusalOf(() => controller.create(user, NEW_HOST))).code).toBe('FORBIDDEN');
    }
  });
});
