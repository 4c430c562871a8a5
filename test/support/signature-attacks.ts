import type { KeyObject } from 'node:crypto';
import { signedFetch, type RawAnswer, type SignedFetchOptions, type TestSigner } from './signed-fetch';

/** What to attack: a mutating route of a receiver, and who legitimately calls it. */
export interface AttackTarget {
  baseUrl: string;
  method: string;
  path: string;
  body: unknown;
  /** The legitimate caller (e.g. the manager). */
  caller: TestSigner;
  /** A key that is not the caller's, to forge with. */
  intruderKey: KeyObject;
  /** Another component's id, to address the request wrongly. */
  otherAudience: string;
}

/** One request a trusted component would never send, and how the receiver must answer it. */
export type SignatureAttack = [label: string, send: (target: AttackTarget) => Promise<RawAnswer>, status: number, code: string];

const send = (target: AttackTarget, signer: TestSigner | null, options: SignedFetchOptions = {}) =>
  signedFetch(target.baseUrl, signer, target.method, target.path, { body: target.body, ...options });

/** Unsigned, forged, tampered, expired, misaddressed and replayed variants of one request. */
export const SIGNATURE_ATTACKS: SignatureAttack[] = [
  ['unsigned', (t) => send(t, null), 401, 'SIGNATURE_MISSING'],
  ["signed with the caller's name but another key", (t) => send(t, { ...t.caller, privateKey: t.intruderKey }), 401, 'SIGNATURE_INVALID'],
  [
    'with the signature changed',
    (t) => send(t, t.caller, { tamper: (headers) => (headers['x-dais-signature'] = Buffer.alloc(64).toString('base64url')) }),
    401,
    'SIGNATURE_INVALID',
  ],
  [
    'with a body other than the one signed',
    (t) => send(t, t.caller, { sentBody: JSON.stringify({ swapped: true }) }),
    401,
    'SIGNATURE_INVALID',
  ],
  ['signed five minutes ago', (t) => send(t, t.caller, { now: Date.now() - 5 * 60_000 }), 401, 'SIGNATURE_EXPIRED'],
  ['signed for another component', (t) => send(t, { ...t.caller, audience: t.otherAudience }), 401, 'AUDIENCE_MISMATCH'],
  [
    'replayed',
    async (t) => {
      // A request accepted once is refused when the same bytes arrive again.
      const original = await signedFetch(t.baseUrl, t.caller, 'GET', '/v1/health');
      return signedFetch(t.baseUrl, null, 'GET', '/v1/health', { reuse: original.headers });
    },
    401,
    'SIGNATURE_REPLAYED',
  ],
];
