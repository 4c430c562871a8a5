import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The fleet protocol this code speaks between manager, orchestrators and routers. Raised when a
 * change makes an older peer unable to serve a newer manager (or the reverse); the manager refuses
 * to register or drive a peer of another protocol.
 */
export const FLEET_PROTOCOL_VERSION = 1;

/** The kinds of peers the manager drives. */
export const fleetComponentSchema = z.enum(['orchestrator', 'router']);

/** `orchestrator` (an app host) or `router`. */
export type FleetComponent = z.output<typeof fleetComponentSchema>;

/** A challenge: 32 to 128 base64url characters of randomness the manager chose for this probe. */
export const identityChallengeSchema = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be 32 to 128 base64url characters');

/** `POST /v1/identity` on an orchestrator or router: prove who you are by signing this. */
export const identityRequestSchema = z.strictObject({ challenge: identityChallengeSchema });

/** Parsed form of {@link identityRequestSchema}. */
export type IdentityRequest = z.output<typeof identityRequestSchema>;

/** Which software a peer runs: the fleet protocol and the package version. */
export const peerVersionSchema = z.strictObject({
  protocol: z.number().int().min(1).max(1_000_000),
  package: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/, 'must be a version such as 1.2.3'),
});

/** Parsed form of {@link peerVersionSchema}. */
export type PeerVersion = z.output<typeof peerVersionSchema>;

/** A PEM public key (at most 4 KiB); whether it is an Ed25519 key is checked where it is used. */
export const publicKeyPemSchema = z
  .string()
  .max(4096)
  .transform((pem, context) => {
    const key = parsePublicKeyPem(pem);
    if (key) return canonicalPublicKeyPem(key);
    context.addIssue({ code: 'custom', message: 'must be an Ed25519 public key in PEM form (-----BEGIN PUBLIC KEY-----)' });
    return z.NEVER;
  });

/** A peer's answer: its id, role, version, public key and its signature of the challenge. */
export const identityProofSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  component: fleetComponentSchema,
  version: peerVersionSchema,
  publicKey: z.string().max(4096),
  signature: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/),
});

/** Parsed form of {@link identityProofSchema}. */
export type IdentityProof = z.output<typeof identityProofSchema>;

/** An Ed25519 public key from PEM, or null when the text is not one (a private key is not: it must never be pasted here). */
export function parsePublicKeyPem(pem: string): KeyObject | null {
  // createPublicKey would derive the public half of a private key; a secret has no place in the registry.
  if (!/^\s*-----BEGIN PUBLIC KEY-----/.test(pem) || /PRIVATE KEY/.test(pem)) return null;
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** The same key in the one PEM spelling, so two copies of it compare equal as text. */
export function canonicalPublicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * What a peer signs to prove its identity: a fixed label, its id and the challenge, so the
 * signature cannot be replayed as a request signature or for another peer.
 */
function identityMessage(id: string, challenge: string): Buffer {
  return Buffer.from(`dais-fleet-identity:v${FLEET_PROTOCOL_VERSION}\n${id}\n${challenge}`);
}

/** The version of this code: the fleet protocol and the package version (libs/shared/package.json). */
export function ownPeerVersion(): PeerVersion {
  return { protocol: FLEET_PROTOCOL_VERSION, package: packageVersion() };
}

let cachedPackageVersion: string | undefined;
function packageVersion(): string {
  // src/contracts and dist/contracts are both two levels below the package folder.
  cachedPackageVersion ??= (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
  return cachedPackageVersion;
}

/** A peer's answer to a challenge, signed with its own private key. */
export function proveIdentity(
  own: { id: string; component: FleetComponent; privateKey: KeyObject },
  request: IdentityRequest,
): IdentityProof {
  return {
    id: own.id,
    component: own.component,
    version: ownPeerVersion(),
    publicKey: canonicalPublicKeyPem(createPublicKey(own.privateKey)),
    signature: sign(null, identityMessage(own.id, request.challenge), own.privateKey).toString('base64url'),
  };
}

/** Whether `signature` is `publicKey`'s signature of the challenge for `id`. */
export function verifyIdentitySignature(proof: { id: string; signature: string }, challenge: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, identityMessage(proof.id, challenge), publicKey, Buffer.from(proof.signature, 'base64url'));
  } catch {
    return false;
  }
}
