import { DaisError, FLEET_PROTOCOL_VERSION, type AddAppHostRequest, type AddRouterRequest } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock';
import { FakeFleetPeers, fakePeer, type FakePeer } from '../../testing/fake-fleet-peers';
import { InMemoryFleet } from '../../testing/in-memory-fleet';
import { RecordingAudit } from '../../testing/recording-audit';
import { ADMIN } from '../../testing/http/users';
import type { AuditService } from '../audit/audit.service';
import type { FleetRepository } from './fleet.repository';
import { FleetService } from './fleet.service';

function setup() {
  const registry = new InMemoryFleet();
  const peers = new FakeFleetPeers();
  const audit = new RecordingAudit();
  const clock = new FakeClock();
  const service = new FleetService(registry as unknown as FleetRepository, peers, audit as unknown as AuditService, clock);
  /** Stands a peer up at a URL. */
  const serve = (url: string, peer: FakePeer) => peers.at.set(url, peer);
  return { registry, peers, audit, clock, service, serve };
}

const hostRequest = (peer: FakePeer, overrides: Partial<AddAppHostRequest> = {}): AddAppHostRequest => ({
  name: 'east',
  url: 'http://10.0.0.2:7100',
  peerId: peer.id,
  publicKey: peer.publicKey,
  runtime: 'docker',
  capacity: 200,
  ...overrides,
});
const routerRequest = (peer: FakePeer, overrides: Partial<AddRouterRequest> = {}): AddRouterRequest => ({
  name: 'edge-2',
  url: 'http://10.0.0.3:7200',
  peerId: peer.id,
  publicKey: peer.publicKey,
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<DaisError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DaisError);
  return error as DaisError;
}

describe('FleetService: adding', () => {
  it('registers an app host that proves its identity, with what the probe saw, and audits it', async () => {
    const { service, serve, registry, audit, clock } = setup();
    const peer = fakePeer('orchestrator-2', 'orchestrator', 4);
    serve('http://10.0.0.2:7100', peer);
    const host = await service.addAppHost(ADMIN, hostRequest(peer));
    expect(host).toMatchObject({ name: 'east', state: 'active', capacity: 200, runtime: 'docker' });
    expect(host.lastSeen).toEqual({
      health: 'ok',
      version: { protocol: FLEET_PROTOCOL_VERSION, package: expect.stringMatching(/^\d+\.\d+\.\d+/) as string },
      siteCount: 4,
      lastSeenAt: clock.date(),
      lastError: null,
    });
    expect(registry.appHosts).toHaveLength(1);
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'fleet.app_host.add', actor: { id: ADMIN.id, username: 'admin', ip: ADMIN.ip } }),
    ]);
  });

  it('registers a router the same way', async () => {
    const { service, serve, registry, audit } = setup();
    const peer = fakePeer('router-2', 'router', 9);
    serve('http://10.0.0.3:7200', peer);
    expect((await service.addRouter(ADMIN, routerRequest(peer))).lastSeen).toMatchObject({ health: 'ok', siteCount: 9 });
    expect(registry.routers).toHaveLength(1);
    expect(audit.actions).toEqual(['fleet.router.add']);
  });

  /** Each way a peer can fail its probe, the code the admin gets, and a word the message must carry. */
  const REFUSALS: [
    what: string,
    arrange: (serve: (url: string, peer: FakePeer) => void, peer: FakePeer) => AddAppHostRequest,
    code: string,
    says: RegExp,
  ][] = [
    [
      'nothing answers at the URL',
      (_serve, peer) => hostRequest(peer),
      'FLEET_PEER_UNREACHABLE',
      /Nothing answers at http:\/\/10\.0\.0\.2:7100/,
    ],
    [
      'a router answers where an app host was named',
      (serve) => {
        const router = fakePeer('router', 'router');
        serve('http://10.0.0.2:7100', router);
        return hostRequest(router, { peerId: 'router' });
      },
      'FLEET_IDENTITY_MISMATCH',
      /is a router, not an app host/,
    ],
    [
      'the peer is another id (it refuses a request signed for the named one)',
      (serve, peer) => {
        serve('http://10.0.0.2:7100', fakePeer('orchestrator-3', 'orchestrator'));
        return hostRequest(peer);
      },
      'FLEET_IDENTITY_MISMATCH',
      /refused a request signed for "orchestrator-2".*AUDIENCE_MISMATCH/,
    ],
    [
      'the peer holds another key than the one given',
      (serve, peer) => {
        serve('http://10.0.0.2:7100', peer);
        return hostRequest(peer, { publicKey: fakePeer('x', 'orchestrator').publicKey });
      },
      'FLEET_IDENTITY_MISMATCH',
      /holds another key/,
    ],
    [
      'the peer announces the right key but signs with another',
      (serve, peer) => {
        const impostor = fakePeer(peer.id, 'orchestrator');
        serve('http://10.0.0.2:7100', { ...impostor, tamper: (proof) => ({ ...proof, publicKey: peer.publicKey }) });
        return hostRequest(peer);
      },
      'FLEET_IDENTITY_MISMATCH',
      /did not sign the challenge/,
    ],
    [
      'the peer answers with a signature that is not of this challenge',
      (serve, peer) => {
        serve('http://10.0.0.2:7100', { ...peer, tamper: (proof) => ({ ...proof, signature: 'A'.repeat(86) }) });
        return hostRequest(peer);
      },
      'FLEET_IDENTITY_MISMATCH',
      /did not sign the challenge/,
    ],
    [
      'the peer speaks another fleet protocol',
      (serve, peer) => {
        serve('http://10.0.0.2:7100', {
          ...peer,
          tamper: (proof) => ({ ...proof, version: { protocol: FLEET_PROTOCOL_VERSION + 1, package: '9.0.0' } }),
        });
        return hostRequest(peer);
      },
      'FLEET_VERSION_INCOMPATIBLE',
      /speaks fleet protocol 2 \(version 9\.0\.0\); this manager speaks 1/,
    ],
  ];

  for (const [what, arrange, code, says] of REFUSALS)
    it(`refuses an app host when ${what} (${code}), writing and auditing nothing`, async () => {
      const { service, serve, registry, audit } = setup();
      const request = arrange(serve, fakePeer('orchestrator-2', 'orchestrator'));
      const error = await refusal(service.addAppHost(ADMIN, request));
      expect(error.code).toBe(code);
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
      expect(error.message).toMatch(says);
      expect(registry.appHosts).toEqual([]);
      expect(audit.entries).toEqual([]);
    });

  it('refuses an app host whose peer has no identity route (an older version)', async () => {
    const { service, peers } = setup();
    peers.identify = () => Promise.reject(new DaisError('NOT_FOUND', 'Route POST:/v1/identity not found'));
    expect((await refusal(service.addAppHost(ADMIN, hostRequest(fakePeer('orchestrator-2', 'orchestrator'))))).code).toBe(
      'FLEET_VERSION_INCOMPATIBLE',
    );
  });

  it('refuses an app host when what answers is not a Dais peer (a web server at that port)', async () => {
    const { service, peers, registry } = setup();
    peers.identify = () =>
      Promise.reject(new DaisError('PEER_ERROR', 'orchestrator-2 answered HTTP 200 to POST /v1/identity without a Dais error body.'));
    const error = await refusal(service.addAppHost(ADMIN, hostRequest(fakePeer('orchestrator-2', 'orchestrator'))));
    expect(error.code).toBe('FLEET_IDENTITY_MISMATCH');
    expect(error.message).toMatch(/did not prove it is an app host \(orchestrator\) "orchestrator-2" of Dais \(PEER_ERROR/);
    expect(registry.appHosts).toEqual([]);
  });

  it('refuses a second entry with the same name or the same URL, keeping the first', async () => {
    const { service, serve, registry } = setup();
    const peer = fakePeer('orchestrator-2', 'orchestrator');
    serve('http://10.0.0.2:7100', peer);
    await service.addAppHost(ADMIN, hostRequest(peer));
    expect((await refusal(service.addAppHost(ADMIN, hostRequest(peer)))).code).toBe('NAME_TAKEN');
    expect((await refusal(service.addAppHost(ADMIN, hostRequest(peer, { name: 'west' })))).code).toBe('FLEET_ADDRESS_TAKEN');
    expect(registry.appHosts.map((host) => host.name)).toEqual(['east']);
  });
});

describe('FleetService: drain, remove', () => {
  async function withHost() {
    const context = setup();
    const peer = fakePeer('orchestrator', 'orchestrator');
    context.serve('http://10.0.0.2:7100', peer);
    await context.service.addAppHost(ADMIN, hostRequest(peer, { name: 'local', peerId: 'orchestrator' }));
    return context;
  }

  it('drains and undrains an app host, audited', async () => {
    const { service, audit } = await withHost();
    expect((await service.drain(ADMIN, 'local')).state).toBe('draining');
    expect((await service.listAppHosts())[0]?.state).toBe('draining');
    expect((await service.undrain(ADMIN, 'local')).state).toBe('active');
    expect(audit.actions).toEqual(['fleet.app_host.add', 'fleet.app_host.drain', 'fleet.app_host.undrain']);
    expect((await refusal(service.drain(ADMIN, 'nowhere'))).code).toBe('APP_HOST_NOT_FOUND');
  });

  it('refuses to remove an app host that has sites, saying how many, and removes it once it has none', async () => {
    const { service, registry, audit } = await withHost();
    registry.sitesOn.set('local', 3);
    const error = await refusal(service.removeAppHost(ADMIN, 'local'));
    expect(error).toMatchObject({ code: 'APP_HOST_HAS_SITES', status: 409 });
    expect(error.message).toMatch(/still has 3 site\(s\); move them/);
    expect(registry.appHosts).toHaveLength(1);
    registry.sitesOn.set('local', 0);
    await service.removeAppHost(ADMIN, 'local');
    expect(registry.appHosts).toEqual([]);
    expect(audit.actions).toEqual(['fleet.app_host.add', 'fleet.app_host.remove']);
    expect((await refusal(service.removeAppHost(ADMIN, 'local'))).code).toBe('APP_HOST_NOT_FOUND');
  });

  it('removes a router, and says when there is none by that name', async () => {
    const { service, serve, registry } = setup();
    const peer = fakePeer('router-2', 'router');
    serve('http://10.0.0.3:7200', peer);
    await service.addRouter(ADMIN, routerRequest(peer));
    await service.removeRouter(ADMIN, 'edge-2');
    expect(registry.routers).toEqual([]);
    expect((await refusal(service.removeRouter(ADMIN, 'edge-2'))).code).toBe('ROUTER_NOT_FOUND');
  });
});

describe('FleetService: health probe', () => {
  it('records each peer as it finds it: ok, degraded nginx, unreachable (keeping what it saw last), or not who it was', async () => {
    const { service, serve, peers, registry, clock } = setup();
    const east = fakePeer('orchestrator-2', 'orchestrator', 1);
    const west = fakePeer('orchestrator-3', 'orchestrator', 2);
    const edge = fakePeer('router-2', 'router', 3);
    serve('http://10.0.0.2:7100', east);
    serve('http://10.0.0.4:7100', west);
    serve('http://10.0.0.3:7200', edge);
    await service.addAppHost(ADMIN, hostRequest(east));
    await service.addAppHost(ADMIN, hostRequest(west, { name: 'west', url: 'http://10.0.0.4:7100' }));
    await service.addRouter(ADMIN, routerRequest(edge));
    const firstSeen = clock.date();
    clock.advance(30_000);

    east.health = { ...east.health, sites: 5 };
    peers.at.delete('http://10.0.0.4:7100');
    edge.health = { ...edge.health, status: 'degraded' };
    expect(await service.probeAll()).toEqual({ appHosts: 2, routers: 1 });

    const [eastSeen, westSeen] = registry.appHosts.map((host) => host.lastSeen);
    expect(eastSeen).toMatchObject({ health: 'ok', siteCount: 5, lastSeenAt: clock.date(), lastError: null });
    expect(westSeen).toMatchObject({ health: 'unreachable', siteCount: 2, lastSeenAt: firstSeen });
    expect(westSeen?.lastError).toMatch(/Nothing answers at http:\/\/10\.0\.0\.4:7100/);
    expect(registry.routers[0]?.lastSeen).toMatchObject({
      health: 'degraded',
      siteCount: 3,
      lastError: expect.stringMatching(/nginx as degraded/) as string,
    });

    // Another machine took the address: the probe says so rather than trusting it.
    serve('http://10.0.0.4:7100', fakePeer('orchestrator-3', 'orchestrator'));
    await service.probeAll();
    expect(registry.appHosts[1]?.lastSeen).toMatchObject({
      health: 'degraded',
      lastError: expect.stringMatching(/holds another key/) as string,
    });
  });
});
