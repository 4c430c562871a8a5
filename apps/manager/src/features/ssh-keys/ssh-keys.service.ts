import { Injectable } from '@nestjs/common';
import { DaisError, type addSshKeyRequestSchema, type sshKeyViewSchema } from '@dais/shared';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { SshKeyRecord } from './ssh-key';
import { parseSshPublicKey } from './ssh-public-key';
import { SshKeyRepository } from './ssh-key.repository';

/** An SSH key as the API shows it. */
export type SshKeyView = z.output<typeof sshKeyViewSchema>;

/** A key as listed: never anyone else's, and the key line itself is not needed to recognise it. */
export function toSshKeyView(key: SshKeyRecord): SshKeyView {
  return {
    id: key.id,
    name: key.name,
    type: key.type,
    bits: key.bits,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}

/** Each user's SSH public keys, for signing in to the shell. */
@Injectable()
export class SshKeysService {
  constructor(
    private readonly keys: SshKeyRepository,
    private readonly audit: AuditService,
  ) {}

  /** Checks and adds a key for the actor; a key already registered (to anyone) is refused. */
  async add(actor: AuthenticatedUser, request: z.output<typeof addSshKeyRequestSchema>): Promise<SshKeyView> {
    const parsed = parseSshPublicKey(request.publicKey);
    if (!parsed.ok) {
      throw new DaisError('SSH_KEY_INVALID', `Invalid SSH key: publicKey: ${parsed.message}`, {
        issues: [{ path: 'publicKey', rule: parsed.rule, message: parsed.message }],
      });
    }
    const { type, bits, fingerprint, canonical } = parsed;
    const key = await this.keys.create({ userId: actor.id, name: request.name, type, bits, publicKey: canonical, fingerprint });
    if (!key) throw await this.taken(actor, fingerprint);
    await this.audit.record({ actor, action: 'ssh-key.add', details: { keyId: key.id, name: key.name, type, bits, fingerprint } });
    return toSshKeyView(key);
  }

  async list(actor: AuthenticatedUser): Promise<SshKeyView[]> {
    return (await this.keys.listForUser(actor.id)).map(toSshKeyView);
  }

  /** Removes one of the actor's keys; someone else's key answers exactly like a missing one. */
  async remove(actor: AuthenticatedUser, id: number): Promise<void> {
    const key = await this.keys.deleteOwned(actor.id, id);
    if (!key) throw new DaisError('SSH_KEY_NOT_FOUND', `You have no SSH key ${id}.`);
    await this.audit.record({ actor, action: 'ssh-key.remove', details: { keyId: key.id, name: key.name, fingerprint: key.fingerprint } });
  }

  /** Names the actor's own copy; says nothing about whose key it is otherwise. */
  private async taken(actor: AuthenticatedUser, fingerprint: string): Promise<DaisError> {
    const existing = await this.keys.findByFingerprint(fingerprint);
    const message =
      existing?.userId === actor.id
        ? `You already added this key, as "${existing.name}".`
        : 'This key is already registered to another account; each key may sign in as one account only. Generate a new key for this one.';
    return new DaisError('SSH_KEY_TAKEN', message, { issues: [{ path: 'publicKey', rule: 'unique', message }] });
  }
}
