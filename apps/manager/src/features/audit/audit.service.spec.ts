import { describe, expect, it } from 'vitest';
import type { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { strictFake } from '../../testing/strict-fake';
import { AuditService } from './audit.service';

/** The audit table's `create` and `findMany`, recording what the service asks for. */
function setup(create: (args: unknown) => Promise<unknown> = () => Promise.resolve({})) {
  const written: unknown[] = [];
  const queries: unknown[] = [];
  const prisma = strictFake<PrismaService>('prisma', {
    auditEvent: strictFake<PrismaService['auditEvent']>('prisma.auditEvent', {
      create: ((args: unknown) => create(args).then((row) => (written.push(args), row))) as never,
      findMany: ((args: unknown) => Promise.resolve(void queries.push(args)).then(() => [])) as never,
    }),
  });
  return { service: new AuditService(prisma), written, queries };
}

describe('recording audit entries', () => {
  it('writes who, what and which site, cutting names and addresses to what the columns hold', async () => {
    const { service, written } = setup();
    await service.record({
      actor: { id: 1, username: 'a'.repeat(100), ip: '2001:db8::1'.padEnd(80, '0') },
      action: 'site.create',
      site: { id: 5, name: 'blog' },
      details: { type: 'static' },
    });
    expect(written).toEqual([
      {
        data: {
          actorId: 1,
          actorName: 'a'.repeat(64),
          action: 'site.create',
          siteId: 5,
          siteName: 'blog',
          ip: '2001:db8::1'.padEnd(64, '0'),
          details: { type: 'static' },
        },
      },
    ]);
  });

  it('never fails the action it records: a lost entry is logged instead', async () => {
    const { service } = setup(() => Promise.reject(new Error('database is down')));
    await expect(service.record({ actor: { id: null, username: 'system' }, action: 'site.repair' })).resolves.toBeUndefined();
  });
});

describe('reading the audit log', () => {
  it("shows a member only their sites' events and their own account's, newest first after the cursor", async () => {
    const { service, queries } = setup();
    await service.list({ visibleTo: { siteIds: [5, 6], userId: 1 }, limit: 20, cursor: 100 });
    expect(queries).toEqual([
      {
        where: {
          AND: [{ OR: [{ siteId: { in: [5, 6] } }, { siteId: null, actorId: 1 }] }, {}, { id: { lt: 100 } }],
        },
        orderBy: { id: 'desc' },
        take: 20,
      },
    ]);
  });
});
