import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
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

  // Moved from test/site-management.test.ts (the reserved names and wildcards are the service's rules, tested there).
  it.each([
    [{ hostname: '10.0.0.1' }, 'HOSTNAME_INVALID', 'ip-literal'],
    [{ hostname: 'under_score.example.org' }, 'HOSTNAME_INVALID', 'label-charset'],
    [{ hostname: 'example.org:8080' }, 'HOSTNAME_INVALID', 'charset'],
    [{ hostname: 'localhost' }, 'HOSTNAME_INVALID', 'labels'],
    [{ hostname: `${'a'.repeat(64)}.example.org` }, 'HOSTNAME_INVALID', 'label-length'],
    [{ hostname: 'ok.example.org', extra: 1 }, 'VALIDATION_FAILED', 'unrecognized_keys'],
    [{ hostname: 42 }, 'VALIDATION_FAILED', 'invalid_type'],
  ])('refuses the domain %j with 400 %s naming the rule %s', async (body, code, rule) => {
    const add = vi.fn();
    const refusal = await refusalOf(() => controllerWith({ add }).add(MEMBER, { id: '7' }, body));
    expect([refusal.status, refusal.code]).toEqual([400, code]);
    expect((refusal.details?.issues as { rule: string }[]).map((issue) => issue.rule)).toContain(rule);
    expect(add).not.toHaveBeenCalled();
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
