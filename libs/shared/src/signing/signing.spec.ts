import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DaisError } from '../errors/dais-error';
import { MemoryNonceStore } from './nonce-store';
import { signRequest } from './sign';
import { RequestVerifier, type IncomingSignedRequest } from './verify';

const manager = generateKeyPairSync('ed25519');
const shell = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function verifier(now = () => Date.now()): RequestVerifier {
  return new RequestVerifier({
    selfId: 'orchestrator',
    now,
    nonces: new MemoryNonceStore(),
    callers: [
      { id: 'manager', publicKey: manager.publicKey, allowedRoutes: [{ prefix: '/' }] },
      { id: 'shell', publicKey: shell.publicKey, allowedRoutes: [{ prefix: '/ws/shell-server/', methods: ['GET'] }] },
    ],
  });
}

function signed(
  overrides: Partial<{
    caller: string;
    key: typeof manager.privateKey;
    audience: string;
    method: string;
    path: string;
    body: string;
    now: number;
  }> = {},
): IncomingSignedRequest {
  const method = overrides.method ?? 'PUT';
  const path = overrides.path ?? '/v1/sites/42';
  const body = overrides.body ?? '{"id":42}';
  const headers = signRequest(
    { callerId: overrides.caller ?? 'manager', privateKey: overrides.key ?? manager.privateKey },
    { audience: overrides.audience ?? 'orchestrator', method, path, body, ...(overrides.now ? { now: overrides.now } : {}) },
  );
  return { method, path, body, headers };
}

/** The code the verifier refuses with; undefined if it accepts. */
async function codeOf(verdict: Promise<string>): Promise<string | undefined> {
  try {
    await verdict;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('request signing', () => {
  it('accepts a correctly signed request and names the caller', async () => {
    expect(await verifier().verify(signed())).toBe('manager');
  });

  it('rejects a request without signature headers', async () => {
    expect(await codeOf(verifier().verify({ method: 'GET', path: '/v1/health', headers: {}, body: '' }))).toBe('SIGNATURE_MISSING');
  });

  it('rejects a caller it does not know', async () => {
    expect(await codeOf(verifier().verify(signed({ caller: 'mallory', key: stranger.privateKey })))).toBe('CALLER_UNKNOWN');
  });

  it('rejects a known caller id signed with another key (forgery)', async () => {
    expect(await codeOf(verifier().verify(signed({ key: stranger.privateKey })))).toBe('SIGNATURE_INVALID');
  });

  it.each([
    ['body', (r: IncomingSignedRequest) => ({ ...r, body: '{"id":43}' })],
    ['path', (r: IncomingSignedRequest) => ({ ...r, path: '/v1/sites/43' })],
    ['method', (r: IncomingSignedRequest) => ({ ...r, method: 'DELETE' })],
    [
      'timestamp',
      (r: IncomingSignedRequest) => ({
        ...r,
        headers: { ...r.headers, 'x-dais-timestamp': String(Number(r.headers['x-dais-timestamp']) - 1_000) },
      }),
    ],
    ['nonce', (r: IncomingSignedRequest) => ({ ...r, headers: { ...r.headers, 'x-dais-nonce': 'AAAAAAAAAAAAAAAAAAAAAAAA' } })],
  ])('rejects a request whose %s was changed after signing', async (_part, tamper) => {
    expect(await codeOf(verifier().verify(tamper(signed())))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a request signed for another component', async () => {
    expect(await codeOf(verifier().verify(signed({ audience: 'router' })))).toBe('AUDIENCE_MISMATCH');
  });

  it('rejects timestamps more than 60 s away in either direction, accepts within', async () => {
    const now = Date.now();
    const v = verifier(() => now);
    expect(await codeOf(v.verify(signed({ now: now - 61_000 })))).toBe('SIGNATURE_EXPIRED');
    expect(await codeOf(v.verify(signed({ now: now + 61_000 })))).toBe('SIGNATURE_EXPIRED');
    expect(await v.verify(signed({ now: now - 59_000 }))).toBe('manager');
  });

  it('accepts each request once (replay rejected)', async () => {
    const v = verifier();
    const request = signed();
    expect(await v.verify(request)).toBe('manager');
    expect(await codeOf(v.verify(request))).toBe('SIGNATURE_REPLAYED');
  });

  it('does not let a forged request burn a nonce', async () => {
    const v = verifier();
    const genuine = signed();
    const forged = { ...genuine, body: 'tampered' };
    expect(await codeOf(v.verify(forged))).toBe('SIGNATURE_INVALID');
    expect(await v.verify(genuine)).toBe('manager');
  });

  it("enforces the caller's route allow-list", async () => {
    const v = verifier();
    expect(await codeOf(v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'PUT', path: '/v1/sites/1' })))).toBe(
      'ROUTE_FORBIDDEN',
    );
    expect(
      await codeOf(
        v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'GET', path: '/ws/shell-server/../v1/sites', body: '' })),
      ),
    ).toBe('ROUTE_FORBIDDEN');
    expect(await v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'GET', path: '/ws/shell-server/7', body: '' }))).toBe(
      'shell',
    );
  });

  it('rejects duplicated signature headers rather than guessing which one counts', async () => {
    const request = signed();
    const headers = { ...request.headers, 'x-dais-caller': ['manager', 'manager'] };
    expect(await codeOf(verifier().verify({ ...request, headers }))).toBe('SIGNATURE_MISSING');
  });
});

describe('a shared nonce store', () => {
  it('refuses in one verifier a request another verifier with the same store accepted (two processes, one store)', async () => {
    const nonces = new MemoryNonceStore();
    const callers = [{ id: 'manager', publicKey: manager.publicKey, allowedRoutes: [{ prefix: '/' }] }];
    const first = new RequestVerifier({ selfId: 'orchestrator', callers, nonces });
    const second = new RequestVerifier({ selfId: 'orchestrator', callers, nonces });
    const request = signed();
    expect(await first.verify(request)).toBe('manager');
    expect(await codeOf(second.verify(request))).toBe('SIGNATURE_REPLAYED');
  });

  it('fails closed when the store cannot answer', async () => {
    const v = new RequestVerifier({
      selfId: 'orchestrator',
      callers: [{ id: 'manager', publicKey: manager.publicKey, allowedRoutes: [{ prefix: '/' }] }],
      nonces: { remember: () => Promise.reject(new DaisError('REPLAY_CHECK_UNAVAILABLE', 'down')) },
    });
    expect(await codeOf(v.verify(signed()))).toBe('REPLAY_CHECK_UNAVAILABLE');
  });
});
