import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER } from '../../testing/http/users';
import { DomainsController } from './domains.controller';
import type { DomainsService } from './domains.service';

const ANSWER = { domain: { id: 3 } };

function controllerWith(arranged: Partial<DomainsService>) {
  return new DomainsController(strictFake<DomainsService>('DomainsService', arranged));
}

describe('DomainsController', () => {
  it('lists a site’s domains under `domains`', async () => {
    const list = vi.fn().mockResolvedValue([{ id: 3 }]);
    const controller = controllerWith({ list });
    expect(await controller.list(MEMBER, { id: '7' })).toEqual({ domains: [{ id: 3 }] });
    expect(list).toHaveBeenCalledWith(MEMBER, 7);
    await expectPathIdChecked((id) => controller.list(MEMBER, { id }), list);
  });

  it('adds the hostname of a valid body, and checks it', async () => {
    const add = vi.fn().mockResolvedValue(ANSWER);
    const controller = controllerWith({ add });
    expect(await controller.add(MEMBER, { id: '7' }, { hostname: 'blog.example.org' })).toBe(ANSWER);
    expect(add).toHaveBeenCalledWith(MEMBER, 7, 'blog.example.org');
    expect(await bodyTable({ hostname: 'blog.example.org' }, (body) => controller.add(MEMBER, { id: '7' }, body), add)).toMatchSnapshot();
    await expectPathIdChecked((id) => controller.add(MEMBER, { id }, { hostname: 'blog.example.org' }), add);
  });

  describe.each(['check', 'verify', 'remove'] as const)('%s', (route) => {
    it('passes the site and domain ids, answering what the service answers', async () => {
      const call = vi.fn().mockResolvedValue(ANSWER);
      const controller = controllerWith({ [route]: call });
      expect(await controller[route](MEMBER, { id: '7', domainId: '3' })).toBe(ANSWER);
      expect(call).toHaveBeenCalledWith(MEMBER, 7, 3);
    });

    it('refuses every broken site id and domain id', async () => {
      const call = vi.fn().mockResolvedValue(ANSWER);
      const controller = controllerWith({ [route]: call });
      await expectPathIdChecked((id) => controller[route](MEMBER, { id, domainId: '3' }), call);
      await expectPathIdChecked((domainId) => controller[route](MEMBER, { id: '7', domainId }), call);
    });
  });
});
