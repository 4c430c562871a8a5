import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { canonicalPublicKeyPem, DaisError, proveIdentity, type FleetComponent, type Health, type IdentityProof } from '@dais/shared';
import { FleetPeers, type PeerAddress } from '../features/fleet/fleet-peers';

/** A peer a test stands up at a URL: who it is, its own key, and how it answers. */
export interface FakePeer {
  id: string;
  component: FleetComponent;
  privateKey: KeyObject;
  /** Its public key in PEM, what an admin would register. */
  publicKey: string;
  health: Health;
  /** Changes its answer to the identity call (another protocol, a forged signature…). */
  tamper?: (proof: IdentityProof) => IdentityProof;
}

/** A fresh peer with its own Ed25519 key, healthy with `sites` sites. */
export function fakePeer(id: string, component: FleetComponent, sites = 0): FakePeer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    id,
    component,
    privateKey,
    publicKey: canonicalPublicKeyPem(publicKey),
    health: { component: id, status: 'ok', nginxGeneration: 1, sites },
  };
}

/**
 * Peers by URL that answer as real ones do: an identity proof signed with their own key, and a
 * refusal with the peer's code when the manager's request is meant for another id (AUDIENCE_MISMATCH),
 * or PEER_UNAVAILABLE where nothing listens.
 */
export class FakeFleetPeers extends FleetPeers {
  readonly at = new Map<string, FakePeer>();

  identify(address: PeerAddress, challenge: string): Promise<IdentityProof> {
    return this.reach(address).then((peer) => {
      const proof = proveIdentity(peer, { challenge });
      return peer.tamper ? peer.tamper(proof) : proof;
    });
  }

  health(address: PeerAddress): Promise<Health> {
    return this.reach(address).then((peer) => peer.health);
  }

  private reach(address: PeerAddress): Promise<FakePeer> {
    const peer = this.at.get(address.url);
    if (!peer)
      return Promise.reject(new DaisError('PEER_UNAVAILABLE', `Could not reach ${address.peerId} at ${address.url}: ECONNREFUSED.`));
    if (peer.id !== address.peerId)
      return Promise.reject(new DaisError('AUDIENCE_MISMATCH', `This request was signed for ${address.peerId}, not for ${peer.id}.`));
    return Promise.resolve(peer);
  }
}
