import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER } from '../../testing/http/users';
import { MembersController } from './members.controller';
import type { MembersService } from './members.service';

function controllerWith(arranged: Partial<MembersService>) {
  return new MembersController(strictFake<MembersService>('MembersService', arranged));
}

describe('MembersController', () => {
  it('lists a site’s members under `members`', async () => {
    const list = vi.fn().mockResolvedValue([{ userId: 11 }]);
    const controller = controllerWith({ list });
    expect(await controller.list(MEMBER, { id: '7' })).toEqual({ members: [{ userId: 11 }] });
    expect(list).toHaveBeenCalledWith(MEMBER, 7);
    await expectPathIdChecked((id) => controller.list(MEMBER, { id }), list);
  });

  it('adds a member named by username (admins) or e-mail address (members)', async () => {
    const add = vi.fn().mockResolvedValue({ userId: 12 });
    const controller = controllerWith({ add });
    expect(await controller.add(ADMIN, { id: '7' }, { username: 'carol' })).toEqual({ userId: 12 });
    expect(add).toHaveBeenLastCalledWith(ADMIN, 7, { username: 'carol' });
    await controller.add(MEMBER, { id: '7' }, { email: 'carol@example.org' });
    expect(add).toHaveBeenLastCalledWith(MEMBER, 7, { email: 'carol@example.org' });
    expect({
      username: await bodyTable({ username: 'carol' }, (body) => controller.add(ADMIN, { id: '7' }, body), add),
      email: await bodyTable({ email: 'carol@example.org' }, (body) => controller.add(MEMBER, { id: '7' }, body), add),
    }).toMatchSnapshot();
    await expectPathIdChecked((id) => controller.add(MEMBER, { id }, { username: 'carol' }), add);
  });

  // Moved from test/site-management.test.ts.
  it.each([{ username: '../etc' }, { username: 5 }, {}, { username: 'bob', role: 'owner' }])(
    'refuses the member %j with 400',
    async (body) => {
      const add = vi.fn();
      const refusal = await refusalOf(() => controllerWith({ add }).add(ADMIN, { id: '7' }, body));
      expect([refusal.status, refusal.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(add).not.toHaveBeenCalled();
    },
  );

  it('removes a member by site and user id, answering nothing', async () => {
    const remove = vi.fn().mockResolvedValue(undefined);
    const controller = controllerWith({ remove });
    await expect(controller.remove(MEMBER, { id: '7', userId: '12' })).resolves.toBeUndefined();
    expect(remove).toHaveBeenCalledWith(MEMBER, 7, 12);
    await expectPathIdChecked((id) => controller.remove(MEMBER, { id, userId: '12' }), remove);
    await expectPathIdChecked((userId) => controller.remove(MEMBER, { id: '7', userId }), remove);
  });
});
