import { randomBytes } from 'node:crypto';
import {
  DaisError,
  FLEET_PROTOCOL_VERSION,
  parsePublicKeyPem,
  verifyIdentitySignature,
  type FleetComponent,
  type IdentityProof,
} from '@dais/shared';

/** Who the admin says is at the URL. */
export interface ExpectedIdentity {
  component: FleetComponent;
  url: string;
  peerId: string;
  publicKey: string;
}

/** A fresh challenge for one probe: 32 random bytes, base64url. */
export function newChallenge(): string {
  return randomBytes(32).toString('base64url');
}

const KIND: Record<FleetComponent, string> = { orchestrator: 'an app host (orchestrator)', router: 'a router' };

/** Codes a peer answers with when it does not accept the manager's signed request as meant for it. */
const SIGNATURE_REFUSALS = new Set([
  'AUDIENCE_MISMATCH',
  'CALLER_UNKNOWN',
  'SIGNATURE_INVALID',
  'SIGNATURE_MISSING',
  'SIGNATURE_EXPIRED',
  'ROUTE_FORBIDDEN',
]);

/**
 * Turns a failed identity call into the refusal an admin can act on: the peer does not answer
 * (FLEET_PEER_UNREACHABLE), answers as someone else (FLEET_IDENTITY_MISMATCH), or is too old to
 * know the identity route (FLEET_VERSION_INCOMPATIBLE).
 */
export function probeFailure(expected: ExpectedIdentity, error: unknown): DaisError {
  const at = expected.url;
  if (!(error instanceof DaisError)) throw error;
  if (error.code === 'PEER_UNAVAILABLE')
    return new DaisError('FLEET_PEER_UNREACHABLE', `Nothing answers at ${at}: ${error.message} Check the URL and that the peer runs.`);
  if (SIGNATURE_REFUSALS.has(error.code))
    return new DaisError(
      'FLEET_IDENTITY_MISMATCH',
      `The peer at ${at} refused a request signed for "${expected.peerId}" (${error.code}: ${error.message}): it is not "${expected.peerId}", or it does not trust this manager's key.`,
    );
  if (error.code === 'NOT_FOUND')
    return new DaisError(
      'FLEET_VERSION_INCOMPATIBLE',
      `The peer at ${at} has no identity route (POST /v1/identity): it runs a version older than fleet protocol ${FLEET_PROTOCOL_VERSION}. Upgrade it first.`,
    );
  // Anything else (a web server that is not Dais, a contract mismatch, a Dais peer failing) proves nothing.
  return new DaisError(
    'FLEET_IDENTITY_MISMATCH',
    `Something answers at ${at}, but it did not prove it is ${KIND[expected.component]} "${expected.peerId}" of Dais (${error.code}: ${error.message})`,
  );
}

/**
 * Checks a peer's answer against what the admin registered: the same kind of peer, the same id, the
 * fleet protocol of this manager, the same public key, and a signature of this challenge by it.
 */
export function checkIdentity(expected: ExpectedIdentity, challenge: string, proof: IdentityProof): void {
  const at = expected.url;
  const mismatch = (why: string) => new DaisError('FLEET_IDENTITY_MISMATCH', `The peer at ${at} ${why}.`);
  if (proof.component !== expected.component) throw mismatch(`is ${KIND[proof.component]}, not ${KIND[expected.component]}`);
  if (proof.id !== expected.peerId) throw mismatch(`says it is "${proof.id}", not "${expected.peerId}"`);
  if (proof.version.protocol !== FLEET_PROTOCOL_VERSION)
    throw new DaisError(
      'FLEET_VERSION_INCOMPATIBLE',
      `The peer at ${at} speaks fleet protocol ${proof.version.protocol} (version ${proof.version.package}); this manager speaks ${FLEET_PROTOCOL_VERSION}. Run the same Dais version on both.`,
    );
  const registered = parsePublicKeyPem(expected.publicKey);
  const announced = parsePublicKeyPem(proof.publicKey);
  if (!registered || !announced || !registered.equals(announced))
    throw mismatch(`holds another key than the public key given for "${expected.peerId}"`);
  if (!verifyIdentitySignature(proof, challenge, registered))
    throw mismatch(`did not sign the challenge with the key given for "${expected.peerId}"`);
}
