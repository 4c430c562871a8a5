import { describe, expect, it, vi } from 'vitest';
import { queryTable } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER } from '../../testing/http/users';
import type { SiteRepository } from '../sites/site.repository';
import { AuditController } from './audit.controller';
import type { AuditService } from './audit.service';

const EVENT = {
  id: 40,
  at: new Date('2026-01-02T03:04:05Z'),
  actorName: 'alice',
  action: 'site.create',
  siteId: 7,
  siteName: 'blog',
  ip: '192.0.2.11',
  details: { type: 'static' },
};

function controllerWith(events: unknown[], memberSiteIds = vi.fn().mockResolvedValue([7, 8])) {
  const list = vi.fn().mockResolvedValue(events);
  const controller = new AuditController(
    strictFake<AuditService>('AuditService', { list }),
    strictFake<SiteRepository>('SiteRepository', { memberSiteIds }),
  );
  return { controller, list, memberSiteIds };
}

describe('AuditController', () => {
  it('shows admins everything, without asking which sites are theirs', async () => {
    const { controller, list, memberSiteIds } = controllerWith([]);
    await controller.list(ADMIN, { siteId: '7', limit: '5', cursor: '99' });
    expect(list).toHaveBeenCalledWith({ visibleTo: undefined, siteId: 7, limit: 5, cursor: 99 });
    expect(memberSiteIds).not.toHaveBeenCalled();
  });

  it('shows anyone else only their sites’ events and their own account’s', async () => {
    const { controller, list, memberSiteIds } = controllerWith([]);
    await controller.list(MEMBER, {});
    expect(memberSiteIds).toHaveBeenCalledWith(MEMBER.id);
    expect(list).toHaveBeenCalledWith(expect.objectContaining({ visibleTo: { siteIds: [7, 8], userId: MEMBER.id } }));
  });

  it('maps events to their view, with a next cursor only when the page is full', async () => {
    const { controller } = controllerWith([EVENT]);
    expect(await controller.list(ADMIN, { limit: '1' })).toEqual({
      events: [
        {
          id: 40,
          at: '2026-01-02T03:04:05.000Z',
          actor: 'alice',
          action: 'site.create',
          siteId: 7,
          siteName: 'blog',
          ip: '192.0.2.11',
          details: { type: 'static' },
        },
      ],
      nextCursor: 40,
    });
    expect((await controller.list(ADMIN, { limit: '2' })).nextCursor).toBeNull();
  });

  it('checks the query', async () => {
    const { controller, list } = controllerWith([]);
    expect(await queryTable((query) => controller.list(ADMIN, query), list)).toMatchSnapshot();
  });
});
