import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAppHost, NewRouter } from '../../src/features/fleet/fleet-records';
import { FleetRepository } from '../../src/features/fleet/fleet.repository';
import { SiteRepository } from '../../src/features/sites/site.repository';
import { insertUser, newSiteFields, openRepositoryDatabase, type RepositoryDatabase } from './repository-database';

const publicKey = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** The orchestrator the manager's operations call (DAIS_ORCHESTRATOR_URL / _ID). */
const OPERATIONS_ORCHESTRATOR = { url: 'http://127.0.0.1:7100/', id: 'orchestrator' };

const router = (name: string, url: string): NewRouter => ({ name, url, peerId: 'router', publicKey: publicKey() });
const host = (name: string, url: string, peerId = 'orchestrator'): NewAppHost => ({
  name,
  url,
  peerId,
  publicKey: publicKey(),
  runtime: 'docker',
  capacity: 100,
});

describe('FleetRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let fleet: FleetRepository;

  beforeAll(async () => {
    db = await openRepositoryDatabase('fleet');
    fleet = new FleetRepository(db.prisma, { orchestrator: OPERATIONS_ORCHESTRATOR });
  });

  afterAll(async () => {
    await db.close();
  });

  it('registers the local peers only while a table is empty, once however many managers start at once', async () => {
    const local = { appHost: host('local', 'http://127.0.0.1:7100'), router: router('local', 'http://127.0.0.1:7200') };
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => fleet.registerIfEmpty(local)));
    expect(outcomes.filter((outcome) => outcome.appHost)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.router)).toHaveLength(1);
    expect((await fleet.listAppHosts()).map((entry) => entry.name)).toEqual(['local']);
    expect((await fleet.listRouters()).map((entry) => entry.name)).toEqual(['local']);
    // Registered once, never again: an admin may have removed or renamed it since.
    await fleet.removeRouter('local');
    await fleet.addRouter(router('edge-2', 'http://10.0.0.3:7200'));
    expect(await fleet.registerIfEmpty(local)).toEqual({ appHost: false, router: false });
    expect((await fleet.listRouters()).map((entry) => entry.name)).toEqual(['edge-2']);
  });

  it('keeps names and URLs unique per kind, and says which one clashed', async () => {
    expect(await fleet.addAppHost(host('local', 'http://10.0.0.9:7100'))).toBe('name-taken');
    expect(await fleet.addAppHost(host('other', 'http://127.0.0.1:7100'))).toBe('url-taken');
    const added = await fleet.addAppHost({
      ...host('east', 'http://10.0.0.2:7100', 'orchestrator-2'),
      lastSeen: {
        health: 'ok',
        version: { protocol: 1, package: '0.1.0' },
        siteCount: 0,
        lastSeenAt: new Date('2026-12-07T00:00:00Z'),
        lastError: null,
      },
    });
    expect(added).toMatchObject({
      name: 'east',
      state: 'active',
      capacity: 100,
      lastSeen: { health: 'ok', version: { protocol: 1, package: '0.1.0' }, siteCount: 0, lastError: null },
    });
    const [row] = await db.database.query<{ count: string }>(`SELECT count(*) FROM "AppHost" WHERE name = 'other'`);
    expect(row?.count).toBe('0');
  });

  it('drains and undrains by name; an unknown name is null', async () => {
    expect((await fleet.setAppHostState('east', 'draining'))?.state).toBe('draining');
    expect((await fleet.findAppHost('east'))?.state).toBe('draining');
    expect((await fleet.setAppHostState('east', 'active'))?.state).toBe('active');
    expect(await fleet.setAppHostState('nowhere', 'draining')).toBeNull();
  });

  it('records what a probe saw, keeping an unreachable peer’s last version', async () => {
    const east = (await fleet.findAppHost('east'))!;
    await fleet.recordAppHostSeen(east.id, { ...east.lastSeen, health: 'unreachable', lastError: 'x'.repeat(900) });
    const seen = (await fleet.findAppHost('east'))!.lastSeen;
    expect(seen).toMatchObject({ health: 'unreachable', version: { protocol: 1, package: '0.1.0' } });
    expect(seen.lastError).toHaveLength(500);
  });

  it('counts every site on the orchestrator the operations call, none elsewhere, and refuses to remove a host with sites', async () => {
    const owner = await insertUser(db.prisma, 'owner');
    const sites = new SiteRepository(db.prisma, db.box);
    await sites.createWithOperation(newSiteFields('blog', owner));
    const local = (await fleet.findAppHost('local'))!;
    const east = (await fleet.findAppHost('east'))!;
    expect(await fleet.countSitesOn(local)).toBe(1);
    expect(await fleet.countSitesOn(east)).toBe(0);
    expect(await fleet.removeAppHostIfEmpty('local')).toEqual({ sites: 1 });
    expect(await fleet.findAppHost('local')).not.toBeNull();
    expect(await fleet.removeAppHostIfEmpty('east')).toMatchObject({ removed: { name: 'east' } });
    expect(await fleet.removeAppHostIfEmpty('east')).toBeNull();
  });
});
