import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked, queryTable } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN } from '../../testing/http/users';
import { UsersController } from './users.controller';
import type { UsersService } from './users.service';

function controllerWith(arranged: Partial<UsersService>) {
  return new UsersController(strictFake<UsersService>('UsersService', arranged));
}

describe('UsersController', () => {
  it('lists a page of users with the parsed limit and cursor', async () => {
    const list = vi.fn().mockResolvedValue({ users: [], nextCursor: null });
    const controller = controllerWith({ list });
    expect(await controller.list(ADMIN, { limit: '10', cursor: '4' })).toEqual({ users: [], nextCursor: null });
    expect(list).toHaveBeenCalledWith(ADMIN, 10, 4);
    expect(await queryTable((query) => controller.list(ADMIN, query), list)).toMatchSnapshot();
  });

  it('creates a user from a checked body', async () => {
    const create = vi.fn().mockResolvedValue({ id: 12 });
    const controller = controllerWith({ create });
    expect(await controller.create(ADMIN, { username: 'carol' })).toEqual({ id: 12 });
    expect(create).toHaveBeenCalledWith(ADMIN, expect.objectContaining({ username: 'carol' }));
    const valid = { username: 'carol', displayName: 'Carol', email: 'carol@example.org', password: 'carol long password 1', role: 'user' };
    expect(await bodyTable(valid, (body) => controller.create(ADMIN, body), create)).toMatchSnapshot();
  });

  it('changes a user by id from a checked body', async () => {
    const update = vi.fn().mockResolvedValue({ id: 12 });
    const controller = controllerWith({ update });
    expect(await controller.update(ADMIN, { id: '12' }, { role: 'admin' })).toEqual({ id: 12 });
    expect(update).toHaveBeenCalledWith(ADMIN, 12, { role: 'admin' });
    const valid = { role: 'admin', disabled: false };
    expect(await bodyTable(valid, (body) => controller.update(ADMIN, { id: '12' }, body), update)).toMatchSnapshot();
    await expectPathIdChecked((id) => controller.update(ADMIN, { id }, { role: 'admin' }), update);
  });
});
