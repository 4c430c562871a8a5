import { describe, expect, it, vi } from 'vitest';
import { expectPathIdChecked, queryTable } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER } from '../../testing/http/users';
import { OperationsController } from './operations.controller';
import type { OperationsService } from './operations.service';

function controllerWith(arranged: Partial<OperationsService>) {
  return new OperationsController(strictFake<OperationsService>('OperationsService', arranged));
}

describe('OperationsController', () => {
  it('lists operations with the parsed filters', async () => {
    const list = vi.fn().mockResolvedValue({ operations: [], nextCursor: null });
    const controller = controllerWith({ list });
    expect(await controller.list(ADMIN, { siteId: '7', state: 'succeeded', limit: '5' })).toEqual({ operations: [], nextCursor: null });
    expect(list).toHaveBeenCalledWith(ADMIN, expect.objectContaining({ siteId: 7, state: 'succeeded', limit: 5 }));
    expect(await queryTable((query) => controller.list(ADMIN, query), list)).toMatchSnapshot();
  });

  describe.each(['get', 'retry'] as const)('%s', (route) => {
    it('passes the operation id and answers the operation', async () => {
      const call = vi.fn().mockResolvedValue({ id: 90 });
      const controller = controllerWith({ [route]: call });
      expect(await controller[route](MEMBER, { id: '90' })).toEqual({ id: 90 });
      expect(call).toHaveBeenCalledWith(MEMBER, 90);
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }), call);
    });
  });
});
