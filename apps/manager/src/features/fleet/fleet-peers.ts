import { Inject, Injectable } from '@nestjs/common';
import { healthSchema, identityProofSchema, type Health, type IdentityProof } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { managerPeerClient } from '../../infrastructure/peers/peer-clients';

/** Where a registry entry is reached and whom the manager's signed requests are for. */
export interface PeerAddress {
  url: string;
  peerId: string;
}

/** The calls the registry makes to an app host or router (a strict fake in unit specs). */
export abstract class FleetPeers {
  /** `POST /v1/identity`: the peer's signed answer to the challenge (a coded peer error when it refuses or does not answer). */
  abstract identify(peer: PeerAddress, challenge: string): Promise<IdentityProof>;
  /** `GET /v1/health`: whether its nginx is in order, and how many sites it holds. */
  abstract health(peer: PeerAddress): Promise<Health>;
}

/** The longest a probe waits for a peer: an admin is waiting on an add, and a dead peer must not hold a tick. */
const PROBE_TIMEOUT_MS = 10_000;

/** {@link FleetPeers} over the one signed peer client, a fresh connection per probe. */
@Injectable()
export class SignedFleetPeers extends FleetPeers {
  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {
    super();
  }

  identify(peer: PeerAddress, challenge: string): Promise<IdentityProof> {
    return this.withClient(peer, (client) =>
      client.call({ method: 'POST', path: '/v1/identity', body: { challenge }, response: identityProofSchema }),
    );
  }

  health(peer: PeerAddress): Promise<Health> {
    return this.withClient(peer, (client) => client.call({ method: 'GET', path: '/v1/health', response: healthSchema }));
  }

  private async withClient<T>(peer: PeerAddress, call: (client: ReturnType<typeof managerPeerClient>) => Promise<T>): Promise<T> {
    const config = { ...this.config, peerTimeoutMs: Math.min(this.config.peerTimeoutMs, PROBE_TIMEOUT_MS) };
    const client = managerPeerClient(config, { url: peer.url, id: peer.peerId }, `${peer.peerId} at ${peer.url}`);
    try {
      return await call(client);
    } finally {
      client.close();
    }
  }
}
