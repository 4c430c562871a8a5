import { randomBytes } from 'node:crypto';
import { MemoryNonceStore } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { keyProof, newSshKey, sshSignature, userauthData, type TestKeyProof } from '../../../../../test/support/ssh-userauth';
import type { ManagerConfig } from '../../config/manager.config';
import { KeyProofVerifier, type KeyProofLogin } from './key-proof-verifier';

const WINDOW_MS = 60_000;
const verifier = () => new KeyProofVerifier(new MemoryNonceStore(), { shellKeyReplayWindowMs: WINDOW_MS } as ManagerConfig);
const alice = newSshKey();
const mallory = newSshKey();

/** The code the verifier refuses with; 'accepted' when it takes the proof. */
async function verdict(proof: TestKeyProof, login: KeyProofLogin = { username: 'alice' }, v = verifier(), now?: number): Promise<string> {
  try {
    await v.verify(login, proof, now);
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A proof whose signed data was bent before alice's key signed it. */
function bent(fields: Partial<Parameters<typeof userauthData>[0]>): TestKeyProof {
  const data = userauthData({ user: 'alice', keyBlob: alice.blob, ...fields });
  return {
    publicKey: alice.publicLine,
    signedData: data.toString('base64'),
    signature: sshSignature(alice.privateKey, data).toString('base64'),
  };
}

describe('the manager verifies SSH key sign-ins itself', () => {
  it('accepts a proof made by the key for this login, with or without a site in the name', async () => {
    expect(await verdict(keyProof(alice, 'alice'))).toBe('accepted');
    expect(await verdict(keyProof(alice, 'alice+blog'), { username: 'alice', site: 'blog' })).toBe('accepted');
    expect(await verdict(keyProof(alice, 'alice/blog'), { username: 'alice', site: 'blog' })).toBe('accepted');
  });

  it('refuses a proof for another login: another user, another site, a site the login did not name', async () => {
    expect(await verdict(keyProof(alice, 'alice'), { username: 'bob' })).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(keyProof(alice, 'alice+blog'), { username: 'alice', site: 'shop' })).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(keyProof(alice, 'alice+blog'))).toBe('SSH_SIGNATURE_INVALID');
  });

  it("refuses a registered key with someone else's signature, a garbage one, or the key swapped after signing", async () => {
    const own = keyProof(mallory, 'alice');
    expect(await verdict({ ...own, publicKey: alice.publicLine })).toBe('SSH_SIGNATURE_INVALID');
    const data = userauthData({ user: 'alice', keyBlob: alice.blob });
    const malloryOverAlice = {
      publicKey: alice.publicLine,
      signedData: data.toString('base64'),
      signature: sshSignature(mallory.privateKey, data).toString('base64'),
    };
    expect(await verdict(malloryOverAlice)).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict({ ...keyProof(alice, 'alice'), signature: randomBytes(83).toString('base64') })).toBe('SSH_SIGNATURE_INVALID');
  });

  it("refuses a valid signature over another connection's data", async () => {
    const first = keyProof(alice, 'alice');
    const second = keyProof(alice, 'alice');
    expect(await verdict({ ...second, signature: first.signature })).toBe('SSH_SIGNATURE_INVALID');
  });

  it('refuses signed data that is not a publickey request for ssh-connection with a signature', async () => {
    expect(await verdict(bent({ service: 'sftp-only' }))).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(bent({ method: 'hostbased' }))).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(bent({ signatureFlag: 0 }))).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(bent({ algorithm: 'rsa-sha2-512' }))).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(bent({ sessionId: Buffer.alloc(8, 1) }))).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(bent({ keyBlob: mallory.blob }))).toBe('SSH_SIGNATURE_INVALID');
    const trailing = Buffer.concat([userauthData({ user: 'alice', keyBlob: alice.blob }), Buffer.from([0])]);
    expect(
      await verdict({
        publicKey: alice.publicLine,
        signedData: trailing.toString('base64'),
        signature: sshSignature(alice.privateKey, trailing).toString('base64'),
      }),
    ).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict({ ...keyProof(alice, 'alice'), signedData: 'AAAA' })).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict({ ...keyProof(alice, 'alice'), publicKey: 'ssh-ed25519 !!!' })).toBe('SSH_SIGNATURE_INVALID');
  });

  it('accepts each signed request once within the window; several keys in one connection each count once', async () => {
    const v = verifier();
    const now = Date.now();
    const session = randomBytes(32);
    const proof = keyProof(alice, 'alice', session);
    expect(await verdict(proof, undefined, v, now)).toBe('accepted');
    expect(await verdict(proof, undefined, v, now + WINDOW_MS - 1)).toBe('SSH_SIGNATURE_REPLAYED');
    // A client that offers a second key on the same connection signs a different request.
    expect(await verdict(keyProof(mallory, 'alice', session), undefined, v, now)).toBe('accepted');
  });

  it('checks the signature before remembering, so forgeries cannot burn a genuine request', async () => {
    const v = verifier();
    const genuine = keyProof(alice, 'alice');
    expect(await verdict({ ...genuine, signature: keyProof(mallory, 'alice').signature }, undefined, v)).toBe('SSH_SIGNATURE_INVALID');
    expect(await verdict(genuine, undefined, v)).toBe('accepted');
  });
});
