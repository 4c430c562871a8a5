import { parse } from 'node:querystring';
import { describe, expect, it, vi } from 'vitest';
import { refusalOf } from '../../testing/http/refusal';
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

  // Moved from test/dashboard-api.test.ts: each is a 400 naming the field and its rule.
  it.each([
    ['state=broken', 'state'],
    ['state=FAILED', 'state'],
    ['state=failed&state=running', 'state'],
    ['state=%00', 'state'],
    ['siteId=abc', 'siteId'],
    ['siteId=0', 'siteId'],
    ['siteId=1;DROP TABLE "Operation"', 'siteId'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['cursor=-1', 'cursor'],
    ['kind=create_site', '(body)'],
  ])('answers 400 naming the rule to ?%s', async (query, path) => {
    const list = vi.fn();
    const refusal = await refusalOf(() => controllerWith({ list }).list(ADMIN, { ...parse(query) }));
    expect([refusal.status, refusal.code]).toEqual([400, 'VALIDATION_FAILED']);
    const issues = (refusal.details?.issues ?? []) as { path: string; rule: string }[];
    expect(issues.map((issue) => issue.path)).toContain(path);
    for (const issue of issues) expect(issue.rule).toBeTruthy();
    expect(list).not.toHaveBeenCalled();
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
