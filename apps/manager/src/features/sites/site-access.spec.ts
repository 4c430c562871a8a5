import { describe, expect, it, vi } from 'vitest';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER, OUTSIDER } from '../../testing/http/users';
import { assertNotDeleting, changeableSite, visibleSite } from './site-access';
import type { SiteRecord, SiteRepository } from './site.repository';

const siteThat = (fields: Partial<SiteRecord>) =>
  ({ id: 7, name: 'blog', state: 'active', availability: 'enabled', ...fields }) as SiteRecord;

/** A repository in which the member and admins see the site, and nobody else does. */
function sitesWith(site: SiteRecord) {
  return strictFake<SiteRepository>('SiteRepository', {
    findVisible: vi.fn((_id: number, viewer: { id: number; role: string }) =>
      Promise.resolve(viewer.role === 'admin' || viewer.id === MEMBER.id ? site : null),
    ),
  });
}

describe('site access', () => {
  it('shows a site to its members and admins; to anyone else it does not exist (404, not 403)', async () => {
    const site = siteThat({});
    for (const viewer of [MEMBER, ADMIN]) expect(await visibleSite(sitesWith(site), viewer, 7)).toBe(site);
    const refusal = await refusalOf(() => visibleSite(sitesWith(site), OUTSIDER, 7));
    expect([refusal.code, refusal.status]).toEqual(['SITE_NOT_FOUND', 404]);
  });

  it.each([
    ['enabled', MEMBER, null],
    ['enabled', ADMIN, null],
    ['disabled', ADMIN, null],
    ['disabled', MEMBER, 'SITE_LOCKED'],
    ['enabled', OUTSIDER, 'SITE_NOT_FOUND'],
    ['disabled', OUTSIDER, 'SITE_NOT_FOUND'],
  ] as const)('a site %s may be changed by %o? refusal: %s', async (availability, viewer, code) => {
    const site = siteThat({ availability });
    if (code === null) expect(await changeableSite(sitesWith(site), viewer, 7)).toBe(site);
    else expect((await refusalOf(() => changeableSite(sitesWith(site), viewer, 7))).code).toBe(code);
  });

  it('refuses changes to a site being deleted, whoever asks', async () => {
    expect(() => assertNotDeleting(siteThat({ state: 'active' }))).not.toThrow();
    expect((await refusalOf(() => assertNotDeleting(siteThat({ state: 'deleting' })))).code).toBe('SITE_BUSY');
  });
});
