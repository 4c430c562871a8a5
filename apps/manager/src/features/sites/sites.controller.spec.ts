import { parse } from 'node:querystring';
import type { OperationView, SiteView } from '@dais/shared';
import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked, queryTable } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER } from '../../testing/http/users';
import { SitesController } from './sites.controller';
import type { SitePage, SitesService } from './sites.service';

const SITE = { id: 7, name: 'blog' } as SiteView;
const OPERATION = { id: 90, kind: 'restart_site' } as OperationView;

function controllerWith(arranged: Partial<SitesService>) {
  return new SitesController(strictFake<SitesService>('SitesService', arranged));
}

describe('SitesController', () => {
  it('creates a site with the parsed request, its defaults filled in', async () => {
    const create = vi.fn().mockResolvedValue(SITE);
    expect(await controllerWith({ create }).create(MEMBER, { name: 'blog' })).toBe(SITE);
    expect(create).toHaveBeenCalledWith(MEMBER, {
      name: 'blog',
      type: 'static',
      description: '',
      packages: [],
      setupCommands: [],
      env: {},
    });
  });

  it('checks every field of a new site', async () => {
    const create = vi.fn().mockResolvedValue(SITE);
    const controller = controllerWith({ create });
    const valid = { name: 'blog', type: 'dynamic', description: 'a blog', image: 'busybox', packages: ['curl'], setupCommands: [['true']] };
    expect(await bodyTable(valid, (body) => controller.create(MEMBER, body), create)).toMatchSnapshot();
  });

  it('refuses image, packages and setup commands on a static site', async () => {
    const create = vi.fn();
    const controller = controllerWith({ create });
    for (const extra of [{ image: 'busybox' }, { packages: ['curl'] }, { setupCommands: [['true']] }])
      expect((await refusalOf(() => controller.create(MEMBER, { name: 'blog', ...extra }))).code).toBe('VALIDATION_FAILED');
    expect(create).not.toHaveBeenCalled();
  });

  it('lists sites with the parsed page and filters', async () => {
    const page = { sites: [SITE], nextCursor: null } as unknown as SitePage;
    const list = vi.fn().mockResolvedValue(page);
    const controller = controllerWith({ list });
    expect(await controller.list(MEMBER, { limit: '5', search: 'a' })).toBe(page);
    expect(list).toHaveBeenCalledWith(MEMBER, expect.objectContaining({ limit: 5, search: 'a' }));
    expect(await queryTable((query) => controller.list(MEMBER, query), list)).toMatchSnapshot();
  });

  // Moved from test/dashboard-api.test.ts and test/site-management.test.ts: each is a 400 naming the field and its rule.
  it.each([
    ['type=php', 'type', undefined],
    ['type=', 'type', undefined],
    ['state=running', 'state', undefined],
    ['availability=on', 'availability', undefined],
    ['availability[]=enabled', '(body)', 'unrecognized_keys'],
    ['type=static&type=dynamic', 'type', undefined],
    ['state=%00', 'state', undefined],
    ['limit=0', 'limit', 'too_small'],
    ['limit=201', 'limit', 'too_big'],
    ['limit=many', 'limit', 'invalid_format'],
    ['cursor=-3', 'cursor', 'invalid_format'],
    [`search=${'x'.repeat(101)}`, 'search', 'too_big'],
    ['colour=blue', '(body)', 'unrecognized_keys'],
  ])('answers 400 to the site list query ?%s, naming %s', async (query, path, rule) => {
    const list = vi.fn();
    const refusal = await refusalOf(() => controllerWith({ list }).list(MEMBER, { ...parse(query) }));
    expect([refusal.status, refusal.code]).toEqual([400, 'VALIDATION_FAILED']);
    const issues = (refusal.details?.issues ?? []) as { path: string; rule: string }[];
    expect(issues).toContainEqual(expect.objectContaining({ path, ...(rule ? { rule } : {}) }));
    expect(list).not.toHaveBeenCalled();
  });

  // Moved from test/site-management.test.ts: the confirmation must be the only field, a string.
  it.each([undefined, {}, { confirm: 7 }, { confirm: 'blog', force: true }])(
    'refuses the deletion confirmation %j with 400',
    async (body) => {
      const remove = vi.fn();
      const refusal = await refusalOf(() => controllerWith({ delete: remove }).delete(MEMBER, { id: '7' }, body));
      expect([refusal.status, refusal.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(remove).not.toHaveBeenCalled();
    },
  );

  it('changes a site with the parsed change', async () => {
    const update = vi.fn().mockResolvedValue(SITE);
    const controller = controllerWith({ update });
    expect(await controller.update(MEMBER, { id: '7' }, { description: 'new' })).toBe(SITE);
    expect(update).toHaveBeenCalledWith(MEMBER, 7, { description: 'new' });
    const valid = { name: 'blog2', description: 'new', limits: { memoryMb: 256, cpus: 1, pids: 256 }, diskLimitMb: 2048 };
    expect(await bodyTable(valid, (body) => controller.update(MEMBER, { id: '7' }, body), update)).toMatchSnapshot();
  });

  it('deletes a site only with its name as confirmation, passing the confirmation on', async () => {
    const remove = vi.fn().mockResolvedValue(OPERATION);
    const controller = controllerWith({ delete: remove });
    expect(await controller.delete(MEMBER, { id: '7' }, { confirm: 'blog' })).toBe(OPERATION);
    expect(remove).toHaveBeenCalledWith(MEMBER, 7, 'blog');
    expect(await bodyTable({ confirm: 'blog' }, (body) => controller.delete(MEMBER, { id: '7' }, body), remove)).toMatchSnapshot();
  });

  describe.each([
    ['get', 'get', []],
    ['status', 'status', []],
    ['restart', 'restart', []],
    ['stop', 'setStopped', [true]],
    ['start', 'setStopped', [false]],
    ['repair', 'repair', []],
  ] as const)('%s', (route, method, extra) => {
    it(`calls ${method} with the site id${extra.length ? ` and ${String(extra[0])}` : ''}, answering what it answers`, async () => {
      const call = vi.fn().mockResolvedValue(OPERATION);
      const controller = controllerWith({ [method]: call });
      expect(await controller[route](MEMBER, { id: '7' })).toBe(OPERATION);
      expect(call).toHaveBeenCalledWith(MEMBER, 7, ...extra);
    });

    it('refuses every broken site id before calling the service', async () => {
      const call = vi.fn().mockResolvedValue(OPERATION);
      const controller = controllerWith({ [method]: call });
      await expectPathIdChecked((id) => controller[route](MEMBER, { id }), call);
    });
  });

  it('checks the site id of a change and of a deletion too', async () => {
    const update = vi.fn().mockResolvedValue(SITE);
    const remove = vi.fn().mockResolvedValue(OPERATION);
    const controller = controllerWith({ update, delete: remove });
    await expectPathIdChecked((id) => controller.update(MEMBER, { id }, { description: 'x' }), update);
    await expectPathIdChecked((id) => controller.delete(MEMBER, { id }, { confirm: 'blog' }), remove);
  });
});
