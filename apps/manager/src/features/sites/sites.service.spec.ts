import type { CreateSiteRequest, SiteStatus, UpdateSiteRequest } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { AccessRevocation } from '../auth/access-revocation';
import type { ImageRepository } from '../images/image.repository';
import { OperationLauncher } from '../operations/operation-launcher';
import type { OperationRepository } from '../operations/operation.repository';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { alice, bob, root } from '../../testing/actors';
import { FakeOperationQueue } from '../../testing/fake-operation-queue';
import { InMemorySites } from '../../testing/in-memory-sites';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { fakeOrchestrator } from '../../testing/scripted-peer';
import { strictFake } from '../../testing/strict-fake';
import { testConfig } from '../../testing/test-config';
import type { SiteRepository } from './site.repository';
import { SitesService } from './sites.service';

const MIB = 1024 * 1024;

/** Alice's static site "blog" (id 1) and dynamic site "shop" (id 2), the node image; root is an admin. */
function setup() {
  const store = new InMemorySites();
  store.admins.add(root.id);
  const node = store.seedImage({ name: 'node' });
  store.seedImage({ name: 'bare', packageInstall: null });
  store.seed({ name: 'blog' }, [alice.id]);
  store.seed({ name: 'shop', type: 'dynamic', image: node, imageId: node.id }, [alice.id]);
  const queue = new FakeOperationQueue();
  const orchestrator = fakeOrchestrator();
  const audit = new RecordingAudit();
  const lockedOut: { siteId: number; ownerIds: readonly number[] }[] = [];
  const access = strictFake<AccessRevocation>('access', {
    endSiteForOwners: (siteId, ownerIds) => Promise.resolve(void lockedOut.push({ siteId, ownerIds })),
  });
  const config = testConfig();
  const service = new SitesService(
    store as unknown as SiteRepository,
    store.images as unknown as ImageRepository,
    store.operations as unknown as OperationRepository,
    new OperationLauncher(queue as unknown as OperationQueue),
    orchestrator.client,
    audit as unknown as AuditService,
    access,
    config,
  );
  return { service, store, queue, orchestrator, audit, lockedOut, config };
}

const status = (siteId: number, usedBytes: number): SiteStatus => ({
  siteId,
  state: 'running',
  exitCode: null,
  message: null,
  restarts: 0,
  endpoints: [],
  image: null,
  startedAt: null,
  disk: { usedBytes, limitBytes: usedBytes * 2 },
});

const newSite: Omit<CreateSiteRequest, 'name'> = { type: 'static', description: '', packages: [], setupCommands: [], env: {} };

describe('creating sites', () => {
  it('writes the site with its owner and create operation, queues the operation and records it', async () => {
    const { service, store, queue, audit } = setup();
    const view = await service.create(bob, { ...newSite, name: 'docs' });
    expect(view).toMatchObject({ id: 3, name: 'docs', state: 'provisioning', operation: { id: 1, kind: 'create_site', state: 'pending' } });
    expect(queue.queued).toEqual([1]);
    expect(await store.isVisible(3, bob)).toBe(true);
    expect(audit.entries).toMatchObject([{ action: 'site.create', site: { id: 3, name: 'docs' }, details: { type: 'static' } }]);
  });

  it('refuses a taken name with SITE_NAME_TAKEN, queueing nothing', async () => {
    const { service, queue, audit } = setup();
    expect(await refusal(service.create(bob, { ...newSite, name: 'blog' }))).toMatchObject({
      code: 'SITE_NAME_TAKEN',
      details: { rule: 'unique' },
    });
    expect(queue.queued).toEqual([]);
    expect(audit.entries).toEqual([]);
  });

  it('checks a dynamic site against the catalogue: an image is required, must exist, and must install packages if asked', async () => {
    const { service, store } = setup();
    const dynamic = { ...newSite, type: 'dynamic' as const };
    expect(await refusal(service.create(bob, { ...dynamic, name: 'a' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'image', rule: 'required' }] },
    });
    expect(await refusal(service.create(bob, { ...dynamic, name: 'b', image: 'cobol' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'image', rule: 'exists' }] },
    });
    expect((await refusal(service.create(bob, { ...dynamic, name: 'c', image: 'bare', packages: ['curl'] }))).code).toBe(
      'IMAGE_PACKAGES_UNSUPPORTED',
    );
    expect(store.rows.map((site) => site.name)).toEqual(['blog', 'shop']);
    expect(await service.create(bob, { ...dynamic, name: 'd', image: 'bare' })).toMatchObject({ runtime: { image: 'bare' } });
  });

  it('answers normally while Redis is down: the site and its operation are saved for the sweeper to queue', async () => {
    const { service, store, queue } = setup();
    queue.failWith('connect ECONNREFUSED');
    const view = await service.create(bob, { ...newSite, name: 'docs' });
    expect(view.operation).toMatchObject({ kind: 'create_site', state: 'pending' });
    expect(store.operationRows.map((operation) => operation.kind)).toEqual(['create_site']);
    expect(queue.queued).toEqual([]);
  });
});

describe('who may see and change a site', () => {
  it('answers a site bob is not a member of exactly like one that does not exist', async () => {
    const { service } = setup();
    const hidden = await refusal(service.get(bob, 1));
    const missing = await refusal(service.get(bob, 99));
    expect(hidden.code).toBe('SITE_NOT_FOUND');
    expect(missing.code).toBe('SITE_NOT_FOUND');
    expect(hidden.message.replace('1', 'N')).toBe(missing.message.replace('99', 'N'));
    expect(await service.canView(bob, 1)).toBe(false);
    expect(await service.canView(root, 1)).toBe(true);
  });

  it('keeps limits, availability, nginx options and the disk limit for admins', async () => {
    const { service, store } = setup();
    const adminOnly: UpdateSiteRequest[] = [
      { limits: { memoryMb: 512, cpus: 1, pids: 100 } },
      { availability: 'disabled' },
      { nginx: {} },
      { diskLimitMb: 10 },
    ];
    for (const request of adminOnly) {
      expect((await refusal(service.update(alice, 1, request))).code).toBe('FORBIDDEN');
    }
    expect(store.operationRows).toEqual([]);
  });

  it('locks owners out of a site an admin disabled, ending what they have open', async () => {
    const { service, lockedOut } = setup();
    await service.update(root, 1, { availability: 'disabled' });
    expect(lockedOut).toEqual([{ siteId: 1, ownerIds: [alice.id] }]);
    expect(await service.restart(alice, 2)).toMatchObject({ kind: 'restart_site' });
    expect((await refusal(service.update(alice, 1, { description: 'x' }))).code).toBe('SITE_LOCKED');
    expect((await service.get(alice, 1)).availability).toBe('disabled');
    await service.update(root, 1, { availability: 'disabled' });
    expect(lockedOut).toHaveLength(1);
  });

  it('refuses every change to a site being deleted with SITE_BUSY', async () => {
    const { service, store } = setup();
    store.rows[1]!.state = 'deleting';
    expect((await refusal(service.update(alice, 2, { description: 'x' }))).code).toBe('SITE_BUSY');
    expect((await refusal(service.restart(alice, 2))).code).toBe('SITE_BUSY');
    expect((await refusal(service.setStopped(alice, 2, true))).code).toBe('SITE_BUSY');
    expect((await refusal(service.repair(root, 2))).code).toBe('SITE_BUSY');
  });
});

describe('changing a site', () => {
  it('saves a new description at once, without an operation', async () => {
    const { service, store, queue, audit } = setup();
    const view = await service.update(alice, 1, { description: 'my notes' });
    expect(view.description).toBe('my notes');
    expect(store.operationRows).toEqual([]);
    expect(queue.queued).toEqual([]);
    expect(audit.entries).toMatchObject([{ action: 'site.update', details: { fields: ['description'] } }]);
  });

  it('renames through an update operation, recording old and new name; a taken name changes nothing', async () => {
    const { service, store, queue, audit } = setup();
    const view = await service.update(alice, 1, { name: 'journal' });
    expect(view).toMatchObject({ name: 'journal', operation: { kind: 'update_site' } });
    expect(queue.queued).toEqual([1]);
    expect(audit.entries).toMatchObject([{ action: 'site.rename', details: { from: 'blog', to: 'journal' } }]);
    expect((await refusal(service.update(alice, 1, { name: 'shop' }))).code).toBe('SITE_NAME_TAKEN');
    expect(store.rows[0]!.name).toBe('journal');
    expect(queue.queued).toEqual([1]);
  });

  it('records the names of changed fields, never their values', async () => {
    const { service, audit } = setup();
    await service.update(alice, 2, { secrets: { API_KEY: 'hunter2' }, env: { MODE: 'prod' } });
    expect(audit.entries).toMatchObject([{ action: 'site.update', details: { fields: ['secrets', 'env'] } }]);
    expect(JSON.stringify(audit.entries)).not.toContain('hunter2');
  });

  it('refuses runtime fields for a static site', async () => {
    const { service } = setup();
    expect(await refusal(service.update(alice, 1, { packages: ['curl'] }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'type' }] },
    });
  });

  it('refuses a disk limit below what the site stores now, asking the orchestrator only when the limit shrinks', async () => {
    const { service, store, orchestrator, config } = setup();
    orchestrator.answer('siteStatus', (siteId) => status(siteId, 300 * MIB + 1));
    const refused = await refusal(service.update(root, 2, { diskLimitMb: 300 }));
    expect(refused).toMatchObject({ code: 'DISK_LIMIT_BELOW_USAGE', details: { usedBytes: 300 * MIB + 1, limitMb: 300 } });
    expect(refused.message).toContain('301 MiB');
    expect(store.rows[1]!.diskLimitMb).toBeNull();
    await service.update(root, 2, { diskLimitMb: 301 });
    expect(orchestrator.callsTo('siteStatus')).toEqual([[2], [2]]);
    await service.update(root, 2, { diskLimitMb: config.sites.diskLimitMb + 1 });
    expect(orchestrator.calls).toHaveLength(2);
  });

  it('changes nothing when the orchestrator cannot tell the usage, and says why', async () => {
    const { service, store, orchestrator } = setup();
    orchestrator.fail('siteStatus', 'orchestrator is unreachable');
    await expect(service.update(root, 2, { diskLimitMb: 1 })).rejects.toThrow('orchestrator is unreachable');
    expect(store.operationRows).toEqual([]);
  });
});

describe('restarting, stopping, repairing and deleting', () => {
  it('restarts and stops dynamic sites only', async () => {
    const { service, queue, audit } = setup();
    expect((await refusal(service.restart(alice, 1))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(service.setStopped(alice, 1, true))).code).toBe('VALIDATION_FAILED');
    expect(await service.restart(alice, 2)).toMatchObject({ kind: 'restart_site' });
    expect(await service.setStopped(alice, 2, true)).toMatchObject({ kind: 'update_site' });
    expect(queue.queued).toEqual([1, 2]);
    expect(audit.actions).toEqual(['site.restart', 'site.stop']);
  });

  it('lets only admins repair', async () => {
    const { service } = setup();
    expect((await refusal(service.repair(alice, 1))).code).toBe('FORBIDDEN');
    expect(await service.repair(root, 1)).toMatchObject({ kind: 'repair_site' });
  });

  it('deletes only once the name is repeated, and answers a repeated delete with the operation under way', async () => {
    const { service, store, queue, audit } = setup();
    expect(await refusal(service.delete(alice, 1, 'BLOG'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'confirm', rule: 'matches-site-name' }] },
    });
    const first = await service.delete(alice, 1, 'blog');
    expect(store.rows[0]!.state).toBe('deleting');
    expect(await service.delete(alice, 1, 'blog')).toEqual(first);
    expect(queue.queued).toEqual([first.id]);
    expect(audit.actions).toEqual(['site.delete']);
  });

  it("asks the orchestrator for a visible site's status only", async () => {
    const { service, orchestrator } = setup();
    orchestrator.answer('siteStatus', (siteId) => status(siteId, 0));
    expect(await service.status(alice, 2)).toMatchObject({ siteId: 2, state: 'running' });
    expect((await refusal(service.status(bob, 2))).code).toBe('SITE_NOT_FOUND');
    expect(orchestrator.calls).toHaveLength(1);
  });
});

describe('listing sites', () => {
  it('pages the visible sites newest first, with a cursor only when another page follows', async () => {
    const { service } = setup();
    const first = await service.list(alice, { limit: 1 });
    expect(first).toMatchObject({ sites: [{ name: 'shop' }], nextCursor: 2 });
    expect(await service.list(alice, { limit: 1, cursor: 2 })).toMatchObject({ sites: [{ name: 'blog' }], nextCursor: null });
    expect(await service.list(bob, { limit: 10 })).toEqual({ sites: [], nextCursor: null });
  });
});
