import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DaisError, type NonceStore, type ShellKeyProof } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { RedisNonceStore } from '../../infrastructure/signing/redis-nonce-store';
import { parseSshPublicKey, type SshPublicKey } from '../ssh-keys/ssh-public-key';
import { acceptsSignatureAlgorithm, verifySshSignature } from '../ssh-keys/ssh-signature';
import { parseSignedUserauthRequest, type SignedUserauthRequest } from '../ssh-keys/ssh-userauth-request';
import { WireFormatError } from '../ssh-keys/ssh-wire-reader';

/** Who is signing in, as the shell parsed the login name. */
export interface KeyProofLogin {
  username: string;
  site?: string | undefined;
}

/**
 * Checks, on the manager, that whoever signs in with a key holds its private half, instead of
 * trusting the shell to have checked: the signed data must be a `publickey` request for
 * `ssh-connection` by this very login name with this very key, the signature must verify, and
 * the same signed request is accepted once (remembered in Redis for the replay window), so a
 * captured sign-in cannot be replayed by anyone holding the shell's key.
 *
 * Each signed request is single-use, not each session identifier: a client offering several keys
 * in one connection signs one request per key under the same session identifier.
 */
@Injectable()
export class KeyProofVerifier {
  constructor(
    @Inject(RedisNonceStore) private readonly nonces: NonceStore,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Resolves with the verified key; throws a coded 401 (`SSH_SIGNATURE_INVALID`, `SSH_SIGNATURE_REPLAYED`). */
  async verify(login: KeyProofLogin, proof: ShellKeyProof, now = Date.now()): Promise<SshPublicKey> {
    const key = parseSshPublicKey(proof.publicKey);
    if (!key.ok) throw invalid(`the public key is not one Dais accepts (${key.message})`);
    const signedData = Buffer.from(proof.signedData, 'base64');
    const request = parse(signedData);
    checkRequest(request, login, key);
    if (!verifySshSignature(key, request.algorithm, signedData, Buffer.from(proof.signature, 'base64'))) {
      throw invalid('the signature does not verify with this key over the signed data');
    }
    const digest = createHash('sha256').update(signedData).digest('base64url');
    if (!(await this.nonces.remember(`ssh-userauth:${digest}`, now + this.config.shellKeyReplayWindowMs, now))) {
      throw new DaisError('SSH_SIGNATURE_REPLAYED', 'This signed SSH sign-in was already used once; the client must sign a new one.');
    }
    return key;
  }
}

function parse(signedData: Buffer): SignedUserauthRequest {
  try {
    return parseSignedUserauthRequest(signedData);
  } catch (error) {
    if (error instanceof WireFormatError) throw invalid(`the signed data is not an SSH public key sign-in request: ${error.message}`);
    throw error;
  }
}

function checkRequest(request: SignedUserauthRequest, login: KeyProofLogin, key: SshPublicKey): void {
  if (request.service !== 'ssh-connection') throw invalid(`the signed request is for the "${request.service.slice(0, 40)}" service`);
  const names = login.site === undefined ? [login.username] : [`${login.username}+${login.site}`, `${login.username}/${login.site}`];
  if (!names.includes(request.user)) throw invalid('the signed request names another login');
  if (!request.keyBlob.equals(key.blob)) throw invalid('the signed request names another key');
  if (!acceptsSignatureAlgorithm(key.type, request.algorithm)) {
    throw invalid(`${request.algorithm.slice(0, 40)} signatures are not accepted for ${key.type} keys`);
  }
}

function invalid(reason: string): DaisError {
  return new DaisError('SSH_SIGNATURE_INVALID', `The SSH key sign-in does not check out: ${reason}.`);
}
