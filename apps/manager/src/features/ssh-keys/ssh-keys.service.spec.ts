import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import { alice, bob } from '../../testing/actors';
import { FakeClock } from '../../testing/fake-clock';
import { InMemorySshKeyRepository } from '../../testing/in-memory-ssh-keys';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import type { SshKeyRepository } from './ssh-key.repository';
import { SshKeysService } from './ssh-keys.service';

/** A fresh ed25519 public key line, as `ssh-keygen` writes it. */
function ed25519Line(comment = 'me@laptop'): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

function setup() {
  const clock = new FakeClock();
  const keys = new InMemorySshKeyRepository(clock);
  const audit = new RecordingAudit();
  const service = new SshKeysService(keys as unknown as SshKeyRepository, audit as unknown as AuditService);
  return { service, keys, audit };
}

describe('adding SSH keys', () => {
  it('stores the key without its comment, shows it to its owner and records the addition', async () => {
    const { service, keys, audit } = setup();
    const line = ed25519Line();
    const view = await service.add(alice, { name: 'laptop', publicKey: line });
    expect(view).toMatchObject({ id: 1, name: 'laptop', type: 'ssh-ed25519', bits: 256, lastUsedAt: null });
    expect(view.fingerprint).toMatch(/^SHA256:/);
    expect(keys.rows[0]!.publicKey).toBe(line.split(' ').slice(0, 2).join(' '));
    expect(audit.actions).toEqual(['ssh-key.add']);
    expect(await service.list(alice)).toEqual([view]);
    expect(await service.list(bob)).toEqual([]);
  });

  it('refuses a line that is not a public key, saying which field and storing nothing', async () => {
    const { service, keys, audit } = setup();
    const answer = await refusal(service.add(alice, { name: 'bad', publicKey: 'ssh-ed25519 bm90IGEga2V5' }));
    expect(answer.code).toBe('SSH_KEY_INVALID');
    expect(answer.details).toMatchObject({ issues: [{ path: 'publicKey' }] });
    expect(keys.rows).toEqual([]);
    expect(audit.entries).toEqual([]);
  });

  it("names the actor's own copy (whatever its comment) of a key, but not whose it is when it is someone else's", async () => {
    const { service, audit } = setup();
    const line = ed25519Line();
    await service.add(alice, { name: 'laptop', publicKey: line });
    const again = await refusal(service.add(alice, { name: 'laptop 2', publicKey: line.replace('me@laptop', 'another comment') }));
    expect(again).toMatchObject({ code: 'SSH_KEY_TAKEN', message: 'You already added this key, as "laptop".' });
    const other = await refusal(service.add(bob, { name: 'mine', publicKey: line }));
    expect(other.code).toBe('SSH_KEY_TAKEN');
    expect(other.message).not.toMatch(/alice|laptop/);
    expect(audit.actions).toEqual(['ssh-key.add']);
  });
});

describe('removing SSH keys', () => {
  it("removes the actor's key, and answers someone else's key exactly like a missing one", async () => {
    const { service, keys, audit } = setup();
    const { id } = await service.add(alice, { name: 'laptop', publicKey: ed25519Line() });
    const notBobs = await refusal(service.remove(bob, id));
    const missing = await refusal(service.remove(bob, 99));
    expect(notBobs.code).toBe('SSH_KEY_NOT_FOUND');
    expect(missing.code).toBe('SSH_KEY_NOT_FOUND');
    expect(notBobs.message.replace(String(id), 'N')).toBe(missing.message.replace('99', 'N'));
    expect(keys.rows).toHaveLength(1);
    await service.remove(alice, id);
    expect(keys.rows).toEqual([]);
    expect(audit.actions).toEqual(['ssh-key.add', 'ssh-key.remove']);
  });
});
