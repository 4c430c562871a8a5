import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyFilePaths, MemoryNonceStore, verifyShellToken, type ShellAuthResult } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './support/browser-session';
import { signedFetch, type RawAnswer } from './support/signed-fetch';
import { keyProof, newSshKey } from './support/ssh-userauth';
import { TestStack } from './support/stack';

type ErrorBody = { error: { code: string; message: string } };

describe('/shell-server/ endpoints (for the SSH server only)', () => {
  let stack: TestStack;
  let managerUrl: string;
  const ids: Record<string, number> = {};
  const sites: Record<string, number> = {};

  /** A call signed by the shell's key, as the SSH server makes it. */
  const asShell = (path: string, body: unknown): Promise<RawAnswer> =>
    signedFetch(managerUrl, stack.signer('shell', 'manager'), 'POST', path, { body });

  /** A browser signed in as one of the test users. */
  const signedInAs = async (username: string): Promise<BrowserSession> => {
    const browser = new BrowserSession(managerUrl);
    expect((await browser.login(username, `${username} long password 1`)).status).toBe(200);
    return browser;
  };

  const verifyToken = async (token: string, siteId: number, nonces = new MemoryNonceStore()) => {
    const managerKey = createPublicKey(await readFile(keyFilePaths(join(stack.stateDir, 'keys'), 'manager').publicKey));
    return verifyShellToken(managerKey, token, { siteId, nonces });
  };

  beforeAll(async () => {
    stack = await TestStack.start('shell-server');
    managerUrl = `http://127.0.0.1:${stack.ports.manager}`;
    for (const username of ['alice', 'bob', 'carol']) {
      const created = await stack.api<{ id: number }>('POST', '/api/users', { username, password: `${username} long password 1` });
      expect(created.status).toBe(201);
      ids[username] = created.json.id;
    }
    for (const name of ['alpha', 'beta', 'gamma']) sites[name] = (await stack.createSite(name)).id;
    // alice is a member of alpha and beta; bob of gamma; carol of nothing.
    for (const [site, member] of [
      ['alpha', 'alice'],
      ['beta', 'alice'],
      ['gamma', 'bob'],
    ] as const) {
      expect((await stack.api('POST', `/api/sites/${sites[site]}/members`, { username: member })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('answers 403 to anyone but the shell: anonymous, an admin token, a browser, another component', async () => {
    const body = { username: 'alice', password: 'alice long password 1' };
    const anonymous = await signedFetch(managerUrl, null, 'POST', '/shell-server/auth/password', { body });
    expect(anonymous.status).toBe(403);
    expect((anonymous.json as ErrorBody).error.code).toBe('FORBIDDEN');
    const admin = await fetch(`${managerUrl}/shell-server/auth/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(admin.status).toBe(403);
    const orchestrator = await signedFetch(managerUrl, stack.signer('orchestrator', 'manager'), 'POST', '/shell-server/auth/password', {
      body,
    });
    expect(orchestrator.status).toBe(403);
    // Signed by the shell, but the body was changed on the way.
    const tampered = await signedFetch(managerUrl, stack.signer('shell', 'manager'), 'POST', '/shell-server/auth/password', {
      body,
      sentBody: JSON.stringify({ ...body, username: 'bob' }),
    });
    expect(tampered.status).toBe(403);
    // A signed request replayed.
    const first = await asShell('/shell-server/auth/password', body);
    expect(first.status).toBe(200);
    const replay = await signedFetch(managerUrl, null, 'POST', '/shell-server/auth/password', {
      body,
      reuse: (first as RawAnswer & { headers: Record<string, string> }).headers,
    });
    expect(replay.status).toBe(403);
  });

  it("the shell's key opens nothing else on the manager", async () => {
    const shell = stack.signer('shell', 'manager');
    for (const path of ['/api/sites', '/api/users', '/api/auth/me']) {
      const answer = await signedFetch(managerUrl, shell, 'GET', path);
      expect(answer.status, path).toBe(401);
    }
  });

  it('a password sign-in returns the member sites, each with a single-use token the orchestrator can verify', async () => {
    const answer = await asShell('/shell-server/auth/password', {
      username: 'alice',
      password: 'alice long password 1',
      remoteAddress: '198.51.100.7',
    });
    expect(answer.status).toBe(200);
    const result = answer.json as ShellAuthResult;
    expect(result.user).toEqual({ id: ids.alice, username: 'alice' });
    expect(result.sites.map((site) => site.name).sort()).toEqual(['alpha', 'beta']);
    const alpha = result.sites.find((site) => site.name === 'alpha')!;
    const nonces = new MemoryNonceStore();
    const claims = await verifyToken(alpha.token, sites.alpha!, nonces);
    expect(claims).toMatchObject({ siteId: sites.alpha, userId: ids.alice, username: 'alice' });
    expect(claims.exp - Date.now()).toBeLessThanOrEqual(60_000);
    expect(claims.exp - Date.now()).toBeGreaterThan(30_000);
    // Single use, and only for its own site.
    await expect(verifyToken(alpha.token, sites.alpha!, nonces)).rejects.toMatchObject({ code: 'SHELL_TOKEN_INVALID' });
    const beta = result.sites.find((site) => site.name === 'beta')!;
    await expect(verifyToken(beta.token, sites.alpha!)).rejects.toMatchObject({ code: 'SHELL_TOKEN_INVALID' });
  });

  it('user+site narrows to that site; a site that is not theirs is refused; an admin may name any site', async () => {
    const narrowed = await asShell('/shell-server/auth/password', { username: 'alice', password: 'alice long password 1', site: 'beta' });
    expect((narrowed.json as ShellAuthResult).sites.map((site) => site.name)).toEqual(['beta']);
    const foreign = await asShell('/shell-server/auth/password', { username: 'alice', password: 'alice long password 1', site: 'gamma' });
    expect(foreign.status).toBe(404);
    expect((foreign.json as ErrorBody).error.code).toBe('SITE_NOT_FOUND');
    const none = await asShell('/shell-server/auth/password', { username: 'carol', password: 'carol long password 1' });
    expect(none.status).toBe(200);
    expect((none.json as ShellAuthResult).sites).toEqual([]);

    await stack.api('POST', '/api/users', { username: 'root2', role: 'admin', password: 'root2 long password 1' });
    const admin = await asShell('/shell-server/auth/password', { username: 'root2', password: 'root2 long password 1', site: 'gamma' });
    expect(admin.status).toBe(200);
    expect((admin.json as ShellAuthResult).sites.map((site) => site.name)).toEqual(['gamma']);
  });

  it('wrong passwords, unknown users and disabled accounts get the same refusal, and are rate-limited per account', async () => {
    const wrong = await asShell('/shell-server/auth/password', { username: 'bob', password: 'not the password' });
    const unknown = await asShell('/shell-server/auth/password', { username: 'nobody', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((wrong.json as ErrorBody).error).toEqual((unknown.json as ErrorBody).error);

    await stack.api('PATCH', `/api/users/${ids.carol}`, { disabled: true });
    const disabled = await asShell('/shell-server/auth/password', { username: 'carol', password: 'carol long password 1' });
    expect(disabled.status).toBe(401);
    expect((disabled.json as ErrorBody).error).toEqual((wrong.json as ErrorBody).error);

    let status = 0;
    for (let attempt = 0; attempt < 12 && status !== 429; attempt += 1) {
      status = (
        await asShell('/shell-server/auth/password', {
          username: 'bob',
          password: `guess number ${attempt}`,
          remoteAddress: `203.0.113.${attempt}`,
        })
      ).status;
    }
    expect(status).toBe(429);
    // Even the right password, from an address new to the account, waits its turn now.
    const right = await asShell('/shell-server/auth/password', { username: 'bob', password: 'bob long password 1' });
    expect(right.status).toBe(429);
  });

  it('a public key sign-in accepts only a key registered to that very user, with its signature', async () => {
    const key = newSshKey();
    const alice = await signedInAs('alice');
    expect((await alice.request('POST', '/api/ssh-keys', { name: 'laptop', publicKey: `${key.publicLine} alice@laptop` })).status).toBe(
      201,
    );

    const accepted = await asShell('/shell-server/auth/public-key', { username: 'alice', ...keyProof(key, 'alice') });
    expect(accepted.status).toBe(200);
    expect((accepted.json as ShellAuthResult).sites.map((site) => site.name).sort()).toEqual(['alpha', 'beta']);
    // alice's key does not let anyone sign in as bob, even signing for bob.
    const asBob = await asShell('/shell-server/auth/public-key', { username: 'bob', ...keyProof(key, 'bob') });
    expect([asBob.status, (asBob.json as ErrorBody).error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const garbage = await asShell('/shell-server/auth/public-key', {
      username: 'alice',
      ...keyProof(key, 'alice'),
      publicKey: 'ssh-ed25519 !!!',
    });
    expect(garbage.status).toBe(401);
    // The old request, a key without the client's signature, is not a sign-in at all.
    const unsigned = await asShell('/shell-server/auth/public-key', { username: 'alice', publicKey: key.publicLine });
    expect([unsigned.status, (unsigned.json as ErrorBody).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const keys = await stack.database.query<{ lastUsedAt: Date | null }>('select "lastUsedAt" from "SshKey"');
    expect(keys[0]?.lastUsedAt).not.toBeNull();
  });

  it('a site an admin disabled is locked to its owners: still visible, but no shell and no changes', async () => {
    const disabled = await stack.api('PATCH', `/api/sites/${sites.beta}`, { availability: 'disabled' });
    expect(disabled.status).toBe(202);
    await stack.waitForOperation((disabled.json as { operation: { id: number } }).operation.id);
    const menu = await asShell('/shell-server/auth/password', { username: 'alice', password: 'alice long password 1' });
    expect((menu.json as ShellAuthResult).sites.map((site) => site.name)).toEqual(['alpha']);
    const named = await asShell('/shell-server/auth/password', { username: 'alice', password: 'alice long password 1', site: 'beta' });
    expect([named.status, (named.json as ErrorBody).error.code]).toEqual([403, 'SITE_LOCKED']);

    const alice = await signedInAs('alice');
    expect((await alice.request('GET', `/api/sites/${sites.beta}`)).status).toBe(200);
    const change = await alice.request<ErrorBody>('PATCH', `/api/sites/${sites.beta}`, { description: 'mine again' });
    expect([change.status, change.json.error.code]).toEqual([403, 'SITE_LOCKED']);
    expect((await alice.request('POST', `/api/sites/${sites.beta}/domains`, { hostname: 'beta.example.org' })).status).toBe(403);
    expect((await alice.request('POST', `/api/sites/${sites.beta}/members`, { username: 'carol' })).status).toBe(403);

    const enabled = await stack.api<{ operation: { id: number } }>('PATCH', `/api/sites/${sites.beta}`, { availability: 'enabled' });
    await stack.waitForOperation(enabled.json.operation.id);
    expect((await alice.request('PATCH', `/api/sites/${sites.beta}`, { description: 'mine again' })).status).toBe(202);
  });

  it('validates what the shell sends', async () => {
    const unknownField = await asShell('/shell-server/auth/password', { username: 'alice', password: 'x', extra: 1 });
    expect(unknownField.status).toBe(400);
    const badEvent = await asShell('/shell-server/sessions', { userId: ids.alice, siteId: sites.alpha, kind: 'rootkit', event: 'start' });
    expect(badEvent.status).toBe(400);
  });

  it('records shell sign-ins and sessions in the audit log, visible to the site members', async () => {
    const started = await asShell('/shell-server/sessions', {
      userId: ids.alice,
      siteId: sites.alpha,
      kind: 'exec',
      event: 'start',
      remoteAddress: '198.51.100.7',
      command: 'ls -la',
    });
    expect(started.status).toBe(204);
    const audit = await stack.api<{
      events: { action: string; actor: string; siteName: string | null; ip: string | null; details: object }[];
    }>('GET', `/api/audit?siteId=${sites.alpha}`);
    expect(audit.json.events).toContainEqual(
      expect.objectContaining({
        action: 'shell.exec.start',
        actor: 'alice',
        siteName: 'alpha',
        ip: '198.51.100.7',
        // The address is what the shell reported, and the log says so.
        details: { command: 'ls -la', addressReportedBy: 'shell' },
      }),
    );
    const all = await stack.api<{ events: { action: string; actor: string }[] }>('GET', '/api/audit?limit=200');
    expect(all.json.events).toContainEqual(expect.objectContaining({ action: 'shell.login', actor: 'alice' }));
    expect(all.json.events).toContainEqual(expect.objectContaining({ action: 'shell.login.failed', actor: 'bob' }));
  });
});
