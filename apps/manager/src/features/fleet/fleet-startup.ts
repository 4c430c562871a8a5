import { existsSync, readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { keyFilePaths, parsePublicKeyPem, canonicalPublicKeyPem, peerUrlSchema } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { LOCAL_PEER_NAME } from './fleet-records';
import { FleetRepository } from './fleet.repository';

/**
 * The degenerate fleet: when no app host (or no router) is registered yet, the configured
 * DAIS_ORCHESTRATOR_URL / DAIS_ROUTER_URL peers are registered as `local`, with the public keys
 * from the keys folder, so a single host (npm start, compose, the test stacks) needs no admin step.
 * Not probed here (they may still be starting); the health job fills in what it sees. Every
 * manager process does this at start; the registry's insert keeps it to one entry.
 */
@Injectable()
export class FleetStartup implements OnApplicationBootstrap {
  private readonly logger = new Logger(FleetStartup.name);

  constructor(
    private readonly registry: FleetRepository,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const orchestrator = this.localPeer(this.config.orchestrator);
    const router = this.localPeer(this.config.router);
    const added = await this.registry.registerIfEmpty({
      ...(orchestrator ? { appHost: { ...orchestrator, runtime: this.config.localRuntime, capacity: LOCAL_CAPACITY } } : {}),
      ...(router ? { router } : {}),
    });
    if (added.appHost) this.logger.log(`registered the local app host ${this.config.orchestrator.url} as "${LOCAL_PEER_NAME}"`);
    if (added.router) this.logger.log(`registered the local router ${this.config.router.url} as "${LOCAL_PEER_NAME}"`);
  }

  private localPeer(peer: { url: string; id: string }) {
    const file = keyFilePaths(this.config.keys.dir, peer.id).publicKey;
    const key = existsSync(file) ? parsePublicKeyPem(readFileSync(file, 'utf8')) : null;
    if (!key) {
      this.logger.warn(`not registering ${peer.id} at ${peer.url}: ${file} is not a readable Ed25519 public key`);
      return null;
    }
    return { name: LOCAL_PEER_NAME, url: peerUrlSchema.parse(peer.url), peerId: peer.id, publicKey: canonicalPublicKeyPem(key) };
  }
}

/** What the local host may hold until an admin sets its capacity: the 10,000 sites Dais is measured at. */
const LOCAL_CAPACITY = 10_000;
