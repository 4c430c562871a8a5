import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../apps/manager/src/config/manager.config';
import { PrismaService } from '../apps/manager/src/infrastructure/prisma/prisma.service';
import { SshKeyRepository } from '../apps/manager/src/features/ssh-keys/ssh-key.repository';
import { REPO_ROOT } from './support/dev-env';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);

type KeyView = { id: number; name: string; type: string; bits: number; fingerprint: string; createdAt: string; lastUsedAt: string | null };
type ErrorAnswer = { error: { code: string; message: string; details?: { issues: { path: string; rule: string }[] } } };
type AuditAnswer = { events: { action: string; actor: string; details: Record<string, unknown> }[] };

describe('SSH public keys per user (/api/ssh-keys)', () => {
  let stack: TestStack;
  let keysDir: Awaited<ReturnType<typeof tempDir>>;
  let alice: string;
  let bob: string;

  /** A key pair from the real ssh-keygen, and the fingerprint `ssh-keygen -l` prints for it. */
  async function keygen(type: string, bits?: number) {
    const path = join(keysDir.path, `${type}-${bits ?? 0}-${Math.random().toString(36).slice(2)}`);
    await run('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', 'someone@laptop', '-f', path]);
    const { stdout } = await run('ssh-keygen', ['-l', '-f', `${path}.pub`]);
    return {
      publicLine: (await readFile(`${path}.pub`, 'utf8')).trim(),
      privateKey: await readFile(path, 'utf8'),
      fingerprint: stdout.split(' ')[1],
    };
  }

  /** A token for a (new) plain user, made with the admin command line like an operator would. */
  async function userToken(username: string): Promise<string> {
    const cli = join(REPO_ROOT, 'apps/manager/dist/cli/admin.js');
    const { stdout } = await run(process.execPath, [cli, 'create-token', '--username', username], {
      env: { ...process.env, ...stack.env },
    });
    return stdout.trim();
  }

  const count = async () => (await stack.database.query<{ count: string }>('select count(*) from "SshKey"'))[0]?.count;

  beforeAll(async () => {
    keysDir = await tempDir('ssh-keys');
    stack = await TestStack.start('ssh-keys');
    [alice, bob] = [await userToken('alice'), await userToken('bob')];
  });

  afterAll(async () => {
    await stack.stop();
    await keysDir.remove();
  });

  it('adds a key, lists it with the fingerprint ssh-keygen prints, and stores it without the comment', async () => {
    const key = await keygen('ed25519');
    const added = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'laptop', publicKey: `${key.publicLine}\n` }, alice);
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: 'laptop', type: 'ssh-ed25519', bits: 256, fingerprint: key.fingerprint, lastUsedAt: null });

    const listed = await stack.api<{ keys: KeyView[] }>('GET', '/api/ssh-keys', undefined, alice);
    expect(listed).toEqual({ status: 200, json: { keys: [added.json] } });
    const [row] = await stack.database.query<{ publicKey: string }>('select "publicKey" from "SshKey" where id = $1', [added.json.id]);
    expect(row?.publicKey).toBe(key.publicLine.split(' ').slice(0, 2).join(' '));

    const rsa = await keygen('rsa', 3072);
    const rsaAdded = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'old box', publicKey: rsa.publicLine }, alice);
    expect(rsaAdded.json).toMatchObject({ type: 'ssh-rsa', bits: 3072, fingerprint: rsa.fingerprint });
  });

  it('a key belongs to one account: 409 for anyone adding it again, and nothing is written', async () => {
    const key = await keygen('ecdsa', 384);
    expect((await stack.api('POST', '/api/ssh-keys', { name: 'work', publicKey: key.publicLine }, alice)).status).toBe(201);
    const before = await count();
    const mine = await stack.api<ErrorAnswer>('POST', '/api/ssh-keys', { name: 'again', publicKey: key.publicLine }, alice);
    expect(mine.status).toBe(409);
    expect(mine.json.error).toMatchObject({ code: 'SSH_KEY_TAKEN', message: expect.stringContaining('"work"') });
    const theirs = await stack.api<ErrorAnswer>('POST', '/api/ssh-keys', { name: 'stolen', publicKey: key.publicLine }, bob);
    expect(theirs.status).toBe(409);
    expect(theirs.json.error.code).toBe('SSH_KEY_TAKEN');
    expect(theirs.json.error.message).not.toContain('alice');
    expect(await count()).toBe(before);
  });

  it("nobody reads or removes someone else's keys: 404, like a key that does not exist", async () => {
    const key = await keygen('ed25519');
    const added = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'mine', publicKey: key.publicLine }, alice);
    expect((await stack.api<{ keys: KeyView[] }>('GET', '/api/ssh-keys', undefined, bob)).json.keys).toEqual([]);
    const removal = await stack.api<ErrorAnswer>('DELETE', `/api/ssh-keys/${added.json.id}`, undefined, bob);
    expect(removal.status).toBe(404);
    expect(removal.json.error.code).toBe('SSH_KEY_NOT_FOUND');
    const missing = await stack.api<ErrorAnswer>('DELETE', '/api/ssh-keys/999999', undefined, bob);
    expect(missing).toEqual({ status: 404, json: { error: { code: 'SSH_KEY_NOT_FOUND', message: 'You have no SSH key 999999.' } } });
    expect(removal.json.error.message).toBe(`You have no SSH key ${added.json.id}.`);
    expect((await stack.api<{ keys: KeyView[] }>('GET', '/api/ssh-keys', undefined, alice)).json.keys.map((k) => k.id)).toContain(
      added.json.id,
    );
  });

  it('removes one of your own keys (204), then it is gone (404)', async () => {
    const key = await keygen('ed25519');
    const added = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'temporary', publicKey: key.publicLine }, bob);
    expect((await stack.api('DELETE', `/api/ssh-keys/${added.json.id}`, undefined, bob)).status).toBe(204);
    expect((await stack.api<{ keys: KeyView[] }>('GET', '/api/ssh-keys', undefined, bob)).json.keys).toEqual([]);
    expect((await stack.api('DELETE', `/api/ssh-keys/${added.json.id}`, undefined, bob)).status).toBe(404);
  });

  it('records every add and remove in the audit log, with the fingerprint', async () => {
    const key = await keygen('ed25519');
    const added = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'audited', publicKey: key.publicLine }, bob);
    await stack.api('DELETE', `/api/ssh-keys/${added.json.id}`, undefined, bob);
    const audit = await stack.api<AuditAnswer>('GET', '/api/audit?limit=5');
    const events = audit.json.events.filter((event) => event.details.fingerprint === key.fingerprint);
    expect(events.map((event) => [event.actor, event.action])).toEqual([
      ['bob', 'ssh-key.remove'],
      ['bob', 'ssh-key.add'],
    ]);
    expect(events[1]?.details).toMatchObject({ keyId: added.json.id, name: 'audited', type: 'ssh-ed25519', bits: 256 });
  });

  describe('bad input is a 400 naming the field and rule; nothing is written', () => {
    const cases: [string, () => Promise<unknown>, string, string, string][] = [
      [
        'a private key pasted by mistake',
        async () => ({ name: 'oops', publicKey: (await keygen('ed25519')).privateKey }),
        'SSH_KEY_INVALID',
        'publicKey',
        'private-key',
      ],
      [
        'an RSA key of 2048 bits',
        async () => ({ name: 'weak', publicKey: (await keygen('rsa', 2048)).publicLine }),
        'SSH_KEY_INVALID',
        'publicKey',
        'rsa-size',
      ],
      ['a DSA key', async () => ({ name: 'dsa', publicKey: (await keygen('dsa')).publicLine }), 'SSH_KEY_INVALID', 'publicKey', 'type'],
      [
        'two keys at once',
        async () => ({ name: 'two', publicKey: `${(await keygen('ed25519')).publicLine}\n${(await keygen('ed25519')).publicLine}` }),
        'SSH_KEY_INVALID',
        'publicKey',
        'single-key',
      ],
      [
        'a mismatched type',
        async () => ({ name: 'x', publicKey: (await keygen('ed25519')).publicLine.replace('ssh-ed25519', 'ecdsa-sha2-nistp256') }),
        'SSH_KEY_INVALID',
        'publicKey',
        'type-mismatch',
      ],
      ['garbage', () => Promise.resolve({ name: 'x', publicKey: 'ssh-ed25519 not-base64!' }), 'SSH_KEY_INVALID', 'publicKey', 'base64'],
      ['no name', async () => ({ publicKey: (await keygen('ed25519')).publicLine }), 'VALIDATION_FAILED', 'name', 'invalid_type'],
      [
        'an empty name',
        async () => ({ name: '', publicKey: (await keygen('ed25519')).publicLine }),
        'VALIDATION_FAILED',
        'name',
        'too_small',
      ],
      [
        'an unknown field',
        async () => ({ name: 'x', publicKey: (await keygen('ed25519')).publicLine, userId: 1 }),
        'VALIDATION_FAILED',
        '(body)',
        'unrecognized_keys',
      ],
      [
        'a huge key line',
        () => Promise.resolve({ name: 'x', publicKey: `ssh-rsa ${'A'.repeat(9000)}` }),
        'VALIDATION_FAILED',
        'publicKey',
        'too_big',
      ],
      ['a number for the key', () => Promise.resolve({ name: 'x', publicKey: 42 }), 'VALIDATION_FAILED', 'publicKey', 'invalid_type'],
    ];

    it.each(cases)('%s', async (_label, body, code, path, rule) => {
      const before = await count();
      const answer = await stack.api<ErrorAnswer>('POST', '/api/ssh-keys', await body(), alice);
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe(code);
      expect(answer.json.error.details?.issues).toContainEqual(expect.objectContaining({ path, rule }));
      expect(await count()).toBe(before);
    });

    it('a private key is never echoed back', async () => {
      const key = await keygen('ed25519');
      const answer = await stack.api<ErrorAnswer>('POST', '/api/ssh-keys', { name: 'oops', publicKey: key.privateKey }, alice);
      expect(answer.json.error.message).toMatch(/this is a private key; paste the \.pub file/i);
      expect(JSON.stringify(answer.json)).not.toContain(key.privateKey.split('\n')[1]);
    });

    it.each([['/api/ssh-keys/abc'], ['/api/ssh-keys/0'], ['/api/ssh-keys/99999999999']])('DELETE %s', async (path) => {
      const answer = await stack.api<ErrorAnswer>('DELETE', path, undefined, alice);
      expect(answer.status).toBe(400);
      expect(answer.json.error.details?.issues[0]?.path).toBe('id');
    });
  });

  it('needs a signed-in user', async () => {
    expect((await stack.api('GET', '/api/ssh-keys', undefined, null)).status).toBe(401);
    expect((await stack.api('POST', '/api/ssh-keys', { name: 'x', publicKey: 'ssh-ed25519 AAAA' }, null)).status).toBe(401);
  });

  describe('the lookup the shell uses (SshKeyRepository.findOwnerByFingerprint, on the real database)', () => {
    let prisma: PrismaService;
    let keys: SshKeyRepository;

    beforeAll(() => {
      prisma = new PrismaService({ databaseUrl: stack.database.url } as ManagerConfig);
      keys = new SshKeyRepository(prisma);
    });

    afterAll(async () => {
      await prisma.$disconnect();
    });

    it('finds the owner, records the use, and forgets disabled users and unknown keys', async () => {
      const key = await keygen('ecdsa', 256);
      const added = await stack.api<KeyView>('POST', '/api/ssh-keys', { name: 'shell', publicKey: key.publicLine }, bob);
      const peek = await keys.findOwnerByFingerprint(key.fingerprint ?? '', false);
      expect(peek?.user.username).toBe('bob');
      expect(peek?.key.lastUsedAt).toBeNull();

      const found = await keys.findOwnerByFingerprint(key.fingerprint ?? '');
      expect(found).toMatchObject({
        user: { username: 'bob' },
        key: { id: added.json.id, publicKey: key.publicLine.split(' ').slice(0, 2).join(' ') },
      });
      const listed = await stack.api<{ keys: KeyView[] }>('GET', '/api/ssh-keys', undefined, bob);
      expect(listed.json.keys.find((k) => k.id === added.json.id)?.lastUsedAt).not.toBeNull();

      expect(await keys.findOwnerByFingerprint('SHA256:unknown')).toBeNull();
      await stack.database.query('update "User" set disabled = true where username = $1', ['bob']);
      expect(await keys.findOwnerByFingerprint(key.fingerprint ?? '')).toBeNull();
      await stack.database.query('update "User" set disabled = false where username = $1', ['bob']);
    });
  });
});
