import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShellAuthResult } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingProxy, type RecordedRequest } from '../support/recording-proxy';
import { signedFetch, type RawAnswer } from '../support/signed-fetch';
import { registerNewSshKey, SshClient, type SshCredential } from '../support/ssh-client';
import { newSshKey, sshSignature, userauthData } from '../support/ssh-userauth';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';

type ErrorBody = { error: { code: string; message: string; details?: { reason?: string } } };
type KeySignIn = { username: string; publicKey: string; signedData: string; signature: string; site?: string; remoteAddress?: string };

const KEY_PATH = '/shell-server/auth/public-key';
const PASSWORD = (username: string) => `${username} long password 1`;

/**
 * Threat: whoever holds the shell's signing key (a compromised shell host, a stolen key file)
 * must not be able to sign in as any key holder. The manager verifies the SSH client's signature
 * itself, so the attacker below (the test, holding `shell.key`) needs alice's private key, which
 * it never has; everything it tries is refused with a coded 4xx and grants nothing.
 */
describe('the SSH front end cannot act as a user it did not authenticate', () => {
  let stack: TestStack;
  let proxy: RecordingProxy | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let managerUrl: string;
  const keys: Record<string, SshCredential> = {};

  /** A request to the manager signed with the shell's own key, as the attacker can make them. */
  const asShell = (path: string, body: unknown): Promise<RawAnswer> =>
    signedFetch(managerUrl, stack.signer('shell', 'manager'), 'POST', path, { body });
  const codeOf = (answer: RawAnswer) => [answer.status, (answer.json as Partial<ErrorBody>).error?.code];
  /** The key sign-ins the shell made and the manager accepted, as captured between them. */
  const capturedKeySignIns = (): (RecordedRequest & { sent: KeySignIn })[] =>
    proxy!.accepted('POST', KEY_PATH).map((request) => ({ ...request, sent: JSON.parse(request.body) as KeySignIn }));
  const grantsTo = async (username: string) =>
    (await stack.api<{ events: { action: string; actor: string }[] }>('GET', '/api/audit?limit=200')).json.events.filter(
      (event) => event.action === 'shell.login' && event.actor === username,
    ).length;

  beforeAll(async () => {
    dir = await tempDir('shell-impersonation');
    stack = await TestStack.start('shell-impersonation', {
      shell: true,
      // The shell reaches the manager through a recorder: what anyone between the two (or in the shell) sees.
      prepare: async ({ ports }) => {
        proxy = await RecordingProxy.start(`http://127.0.0.1:${ports.manager}`);
        return { DAIS_SHELL_MANAGER_URL: proxy.url };
      },
    });
    managerUrl = `http://127.0.0.1:${stack.ports.manager}`;
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    for (const username of ['alice', 'mallory']) {
      expect((await stack.api('POST', '/api/users', { username, password: PASSWORD(username) })).status).toBe(201);
    }
    const site = await stack.createSite('alpha');
    await stack.waitForOperation(site.operation?.id ?? 0);
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' })).status).toBe(201);
    const account = (username: string) => ({ username, password: PASSWORD(username) });
    for (const [name, type, bits] of [
      ['ed25519', 'ed25519', undefined],
      ['rsa', 'rsa', 3072],
      ['ecdsa-256', 'ecdsa', 256],
      ['ecdsa-521', 'ecdsa', 521],
    ] as const) {
      keys[name] = await registerNewSshKey(managerUrl, account('alice'), dir.path, { type, ...(bits ? { bits } : {}) });
    }
    keys.mallory = await registerNewSshKey(managerUrl, account('mallory'), dir.path);
  });

  afterAll(async () => {
    await stack.stop();
    await proxy?.stop();
    await dir.remove();
  });

  it.each(['ed25519', 'rsa', 'ecdsa-256', 'ecdsa-521'])('a %s key still signs in with the real OpenSSH client', async (name) => {
    const before = capturedKeySignIns().length;
    const answer = await client.ssh('alice+alpha', keys[name]!, ['echo', 'in-$((6*7))']);
    expect(answer.stderr).not.toMatch(/Permission denied/);
    expect([answer.code, answer.stdout.trim()]).toEqual([0, 'in-42']);
    const signIns = capturedKeySignIns();
    expect(signIns).toHaveLength(before + 1);
    // What reached the manager is the client's own signature (RSA with SHA-2, never SHA-1), for the manager to check.
    const algorithm = Buffer.from(signIns.at(-1)!.sent.signature, 'base64')
      .subarray(4, 4 + 12)
      .toString('latin1');
    if (name === 'rsa') expect(algorithm).toMatch(/^rsa-sha2-(256|512)$/);
  });

  it('the "would this key do?" step answers every key alike and asks the manager nothing', async () => {
    // Only the public halves (`-i key.pub`): OpenSSH asks whether each would do, then cannot sign.
    const registered = join(dir.path, 'registered-public-only.pub');
    const stranger = join(dir.path, 'stranger-public-only.pub');
    await copyFile(`${(keys.ed25519 as { keyFile: string }).keyFile}.pub`, registered);
    await writeFile(stranger, `${newSshKey().publicLine}\n`);
    const signInsAsked = () => proxy!.requests.filter((request) => request.path.startsWith('/shell-server/auth/')).length;
    const asked = signInsAsked();
    const answers = await Promise.all(
      [registered, stranger].map((keyFile) => client.ssh('alice+alpha', { keyFile }, ['true'], { verbose: true })),
    );
    for (const answer of answers) {
      expect(answer.code).toBe(255);
      expect(answer.stderr).toMatch(/Server accepts key/);
    }
    expect(signInsAsked()).toBe(asked);
  });

  describe('with only the shell’s key, nobody signs in as alice', () => {
    let aliceSignIn: KeySignIn;
    let headers: Record<string, string>;
    let grantsBefore: number;

    beforeAll(async () => {
      // Two real sign-ins by alice, captured; the attacker has the shell's key and these records.
      for (let round = 0; round < 2; round += 1) expect((await client.ssh('alice+alpha', keys.ed25519!, ['true'])).code).toBe(0);
      const captured = capturedKeySignIns().filter((request) => request.sent.username === 'alice');
      aliceSignIn = captured.at(-1)!.sent;
      headers = captured.at(-1)!.headers;
      grantsBefore = await grantsTo('alice');
    });

    afterAll(async () => {
      // Whatever was tried, not one more sign-in was granted to alice.
      expect(await grantsTo('alice')).toBe(grantsBefore);
    });

    it('a registered key without a signature (the request the manager used to trust) is refused', async () => {
      const { signedData: _data, signature: _signature, ...keyOnly } = aliceSignIn;
      expect(codeOf(await asShell(KEY_PATH, keyOnly))).toEqual([400, 'VALIDATION_FAILED']);
      expect(codeOf(await asShell(KEY_PATH, { ...keyOnly, signedData: aliceSignIn.signedData }))).toEqual([400, 'VALIDATION_FAILED']);
      expect(codeOf(await asShell(KEY_PATH, { ...aliceSignIn, signature: '' }))).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('a garbage signature is refused', async () => {
      const garbage = Buffer.concat([Buffer.from(aliceSignIn.signature, 'base64').subarray(0, 19), Buffer.alloc(64, 0x41)]);
      expect(codeOf(await asShell(KEY_PATH, { ...aliceSignIn, signature: garbage.toString('base64') }))).toEqual([
        401,
        'SSH_SIGNATURE_INVALID',
      ]);
    });

    it("a signature from another key is refused: the attacker's own key, and mallory's real sign-in bent towards alice", async () => {
      const attacker = newSshKey();
      const data = userauthData({ user: 'alice+alpha', keyBlob: Buffer.from(aliceSignIn.publicKey.split(' ')[1]!, 'base64') });
      const forged = {
        ...aliceSignIn,
        signedData: data.toString('base64'),
        signature: sshSignature(attacker.privateKey, data).toString('base64'),
      };
      expect(codeOf(await asShell(KEY_PATH, forged))).toEqual([401, 'SSH_SIGNATURE_INVALID']);

      expect((await client.ssh('mallory', keys.mallory!, ['true'])).stderr).toMatch(/no sites/i);
      const mallory = capturedKeySignIns().findLast((request) => request.sent.username === 'mallory')!.sent;
      expect(codeOf(await asShell(KEY_PATH, { ...mallory, username: 'alice' }))).toEqual([401, 'SSH_SIGNATURE_INVALID']);
      expect(codeOf(await asShell(KEY_PATH, { ...mallory, username: 'alice', publicKey: aliceSignIn.publicKey }))).toEqual([
        401,
        'SSH_SIGNATURE_INVALID',
      ]);
    });

    it("a valid signature over another session's data is refused", async () => {
      const [earlier, later] = capturedKeySignIns()
        .filter((request) => request.sent.username === 'alice' && request.sent.publicKey === aliceSignIn.publicKey)
        .slice(-2)
        .map((request) => request.sent);
      expect(earlier!.signedData).not.toBe(later!.signedData);
      expect(codeOf(await asShell(KEY_PATH, { ...later!, signature: earlier!.signature }))).toEqual([401, 'SSH_SIGNATURE_INVALID']);
    });

    it('a captured sign-in replayed is refused: as captured, and signed afresh with the shell’s key', async () => {
      const verbatim = await signedFetch(managerUrl, null, 'POST', KEY_PATH, { body: JSON.stringify(aliceSignIn), reuse: headers });
      expect(codeOf(verbatim)).toEqual([403, 'FORBIDDEN']);
      expect((verbatim.json as ErrorBody).error.details?.reason).toBe('SIGNATURE_REPLAYED');
      expect(codeOf(await asShell(KEY_PATH, aliceSignIn))).toEqual([401, 'SSH_SIGNATURE_REPLAYED']);
      // The same signed request presented for another login (no site named) does not match what alice signed.
      expect(codeOf(await asShell(KEY_PATH, { ...aliceSignIn, site: undefined }))).toEqual([401, 'SSH_SIGNATURE_INVALID']);
    });
  });

  describe('the address the shell reports', () => {
    it('must be an IP address, whatever the shell sends', async () => {
      for (const remoteAddress of ['127.0.0.1; drop table', '../../etc', 'x'.repeat(64), '10.0.0.1/8', '']) {
        const password = await asShell('/shell-server/auth/password', { username: 'alice', password: PASSWORD('alice'), remoteAddress });
        expect(codeOf(password), remoteAddress).toEqual([400, 'VALIDATION_FAILED']);
      }
      const ipv6 = await asShell('/shell-server/auth/password', {
        username: 'alice',
        password: PASSWORD('alice'),
        remoteAddress: '2001:db8::7',
      });
      expect(ipv6.status).toBe(200);
      expect((ipv6.json as ShellAuthResult).user.username).toBe('alice');
    });

    it('is kept in the audit log as the shell’s report, beside the sign-in it belongs to', async () => {
      const events = (
        await stack.api<{ events: { action: string; actor: string; ip: string | null; details: Record<string, unknown> }[] }>(
          'GET',
          '/api/audit?limit=200',
        )
      ).json.events.filter((event) => event.actor === 'alice' && event.action.startsWith('shell.'));
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event.details.addressReportedBy, event.action).toBe('shell');
      expect(events.some((event) => event.action === 'shell.login' && event.ip === '127.0.0.1')).toBe(true);
    });
  });
});
