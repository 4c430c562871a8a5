import { Injectable } from '@nestjs/common';
import { DaisError, type AddAppHostRequest, type AddRouterRequest, type FleetComponent, type Health, type PeerVersion } from '@dais/shared';
import { Clock } from '../../infrastructure/clock';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { FleetPeers } from './fleet-peers';
import type { AppHostRecord, LastSeen, RouterRecord } from './fleet-records';
import { FleetRepository, type RegistrationClash } from './fleet.repository';
import { checkIdentity, newChallenge, probeFailure, type ExpectedIdentity } from './identity-check';

/**
 * The fleet registry: the app hosts and routers the manager drives. A peer is written only after
 * it proved, at its URL, that it is the one named (id, key, signature) and speaks this manager's
 * fleet protocol; every change is audited. Transport-free: the API and the admin CLI share it.
 */
@Injectable()
export class FleetService {
  constructor(
    private readonly registry: FleetRepository,
    private readonly peers: FleetPeers,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  listAppHosts(): Promise<AppHostRecord[]> {
    return this.registry.listAppHosts();
  }

  listRouters(): Promise<RouterRecord[]> {
    return this.registry.listRouters();
  }

  /** Probes the orchestrator, then registers it (nothing is written when the probe refuses it). */
  async addAppHost(actor: AuditActor, request: AddAppHostRequest): Promise<AppHostRecord> {
    const lastSeen = await this.proveAndInspect({ component: 'orchestrator', ...request });
    const added = await this.registry.addAppHost({ ...request, lastSeen });
    const host = orClash(added, 'app host', request);
    await this.audit.record({
      actor,
      action: 'fleet.app_host.add',
      details: { name: host.name, url: host.url, peerId: host.peerId, runtime: host.runtime, capacity: host.capacity },
    });
    return host;
  }

  /** Probes the router, then registers it (nothing is written when the probe refuses it). */
  async addRouter(actor: AuditActor, request: AddRouterRequest): Promise<RouterRecord> {
    const lastSeen = await this.proveAndInspect({ component: 'router', ...request });
    const router = orClash(await this.registry.addRouter({ ...request, lastSeen }), 'router', request);
    await this.audit.record({ actor, action: 'fleet.router.add', details: { name: router.name, url: router.url, peerId: router.peerId } });
    return router;
  }

  /** No new sites are placed on a draining host; its sites stay until moved. */
  drain(actor: AuditActor, name: string): Promise<AppHostRecord> {
    return this.setState(actor, name, 'draining');
  }

  /** The host takes new sites again. */
  undrain(actor: AuditActor, name: string): Promise<AppHostRecord> {
    return this.setState(actor, name, 'active');
  }

  /** Removes an app host that has no sites; one that has is refused until they are moved. */
  async removeAppHost(actor: AuditActor, name: string): Promise<void> {
    const outcome = await this.registry.removeAppHostIfEmpty(name);
    if (!outcome) throw appHostNotFound(name);
    if ('sites' in outcome)
      throw new DaisError(
        'APP_HOST_HAS_SITES',
        `App host "${name}" still has ${outcome.sites} site(s); move them to another host before removing it.`,
        { sites: outcome.sites },
      );
    await this.audit.record({ actor, action: 'fleet.app_host.remove', details: { name, url: outcome.removed.url } });
  }

  async removeRouter(actor: AuditActor, name: string): Promise<void> {
    const removed = await this.registry.removeRouter(name);
    if (!removed) throw new DaisError('ROUTER_NOT_FOUND', `There is no router named "${name}".`);
    await this.audit.record({ actor, action: 'fleet.router.remove', details: { name, url: removed.url } });
  }

  /**
   * Probes every registered peer and records what it saw: its health, version and site count, or
   * why it is not well (the last error). One peer failing never stops the others being probed.
   */
  async probeAll(): Promise<{ appHosts: number; routers: number }> {
    const [hosts, routers] = await Promise.all([this.registry.listAppHosts(), this.registry.listRouters()]);
    await Promise.all([
      ...hosts.map(async (host) =>
        this.registry.recordAppHostSeen(host.id, await this.inspect({ component: 'orchestrator', ...host }, host.lastSeen)),
      ),
      ...routers.map(async (router) =>
        this.registry.recordRouterSeen(router.id, await this.inspect({ component: 'router', ...router }, router.lastSeen)),
      ),
    ]);
    return { appHosts: hosts.length, routers: routers.length };
  }

  /** A health probe's record of a registered peer: never throws, a failure is its last error. */
  private async inspect(peer: ExpectedIdentity, previous: LastSeen): Promise<LastSeen> {
    try {
      return await this.proveAndInspect(peer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const unreachable = error instanceof DaisError && error.code === 'FLEET_PEER_UNREACHABLE';
      return { ...previous, health: unreachable ? 'unreachable' : 'degraded', lastError: message };
    }
  }

  /** Checks the peer's identity with a fresh challenge, then reads its health: what "last seen" records. */
  private async proveAndInspect(peer: ExpectedIdentity): Promise<LastSeen> {
    const challenge = newChallenge();
    let version: PeerVersion;
    try {
      const proof = await this.peers.identify(peer, challenge);
      checkIdentity(peer, challenge, proof);
      version = proof.version;
    } catch (error) {
      throw error instanceof DaisError && error.code.startsWith('FLEET_') ? error : probeFailure(peer, error);
    }
    let health: Health;
    try {
      health = await this.peers.health(peer);
    } catch (error) {
      throw probeFailure(peer, error);
    }
    return {
      health: health.status,
      version,
      siteCount: health.sites,
      lastSeenAt: this.clock.date(),
      lastError: health.status === 'ok' ? null : `The ${kindOf(peer.component)} reports its nginx as ${health.status}.`,
    };
  }

  private async setState(actor: AuditActor, name: string, state: 'active' | 'draining'): Promise<AppHostRecord> {
    const host = await this.registry.setAppHostState(name, state);
    if (!host) throw appHostNotFound(name);
    await this.audit.record({ actor, action: state === 'draining' ? 'fleet.app_host.drain' : 'fleet.app_host.undrain', details: { name } });
    return host;
  }
}

function kindOf(component: FleetComponent): string {
  return component === 'orchestrator' ? 'app host' : 'router';
}

function appHostNotFound(name: string): DaisError {
  return new DaisError('APP_HOST_NOT_FOUND', `There is no app host named "${name}".`);
}

/** The registered entry, or the refusal saying which unique value is already taken. */
function orClash<T>(added: T | RegistrationClash, kind: string, request: { name: string; url: string }): T {
  if (added === 'name-taken')
    throw new DaisError('NAME_TAKEN', `${kind === 'router' ? 'A router' : 'An app host'} named "${request.name}" is already registered.`);
  if (added === 'url-taken') throw new DaisError('FLEET_ADDRESS_TAKEN', `Another ${kind} is already registered at ${request.url}.`);
  return added;
}
