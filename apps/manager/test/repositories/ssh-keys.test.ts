import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshKeyRepository, type NewSshKey } from '../../src/features/ssh-keys/ssh-key.repository';
import { insertUser, openRepositoryDatabase, type RepositoryDatabase } from './repository-database';

const key = (userId: number, fingerprint: string): NewSshKey => ({
  userId,
  name: `key ${fingerprint}`,
  type: 'ssh-ed25519',
  bits: 256,
  publicKey: `ssh-ed25519 AAAA${fingerprint}`,
  fingerprint: `SHA256:${fingerprint}`,
});

describe('SshKeyRepository on PostgreSQL', () => {
  let db: RepositoryDatabase;
  let keys: SshKeyRepository;
  let ann: number;
  let ben: number;

  beforeAll(async () => {
    db = await openRepositoryDatabase('ssh_keys');
    keys = new SshKeyRepository(db.prisma);
    ann = await insertUser(db.prisma, 'ann');
    ben = await insertUser(db.prisma, 'ben');
  });

  afterAll(async () => {
    await db.close();
  });

  it('gives a key to one user only (the fingerprint is unique)', async () => {
    expect(await keys.create(key(ann, 'one'))).toMatchObject({ userId: ann, fingerprint: 'SHA256:one', lastUsedAt: null });
    expect(await keys.create(key(ben, 'one'))).toBeNull();
    await keys.create(key(ann, 'two'));
    expect((await keys.listForUser(ann)).map((entry) => entry.fingerprint)).toEqual(['SHA256:one', 'SHA256:two']);
    expect(await keys.listForUser(ben)).toEqual([]);
  });

  it('finds the owner of a key, touching it only when asked, and not for a disabled user', async () => {
    const looked = await keys.findOwnerByFingerprint('SHA256:one', false);
    expect(looked).toMatchObject({ user: { username: 'ann' }, key: { lastUsedAt: null } });
    const used = await keys.findOwnerByFingerprint('SHA256:one');
    expect(used?.key.lastUsedAt).toBeInstanceOf(Date);
    expect((await keys.findByFingerprint('SHA256:one'))?.lastUsedAt).toEqual(used?.key.lastUsedAt);
    await db.prisma.user.update({ where: { id: ann }, data: { disabled: true } });
    expect(await keys.findOwnerByFingerprint('SHA256:one')).toBeNull();
    await db.prisma.user.update({ where: { id: ann }, data: { disabled: false } });
    expect(await keys.findOwnerByFingerprint('SHA256:unknown')).toBeNull();
  });

  it('deletes only the owner’s own key', async () => {
    const two = (await keys.findByFingerprint('SHA256:two'))!;
    expect(await keys.deleteOwned(ben, two.id)).toBeNull();
    expect(await keys.deleteOwned(ann, two.id)).toMatchObject({ id: two.id });
    expect(await keys.findByFingerprint('SHA256:two')).toBeNull();
  });

  it('deletes a user’s keys with the user (cascade)', async () => {
    await db.prisma.user.delete({ where: { id: ann } });
    expect(await keys.findByFingerprint('SHA256:one')).toBeNull();
  });
});
