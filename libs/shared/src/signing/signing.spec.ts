import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest } from './sign';
import { RequestVerifier, type IncomingSignedRequest } from './verify';
import { codeOf } from '../../../../test/support/error-code';

const manager = generateKeyPairSync('ed25519');
const shell = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function verifier(now = () => Date.now()): RequestVerifier {
  return new RequestVerifier({
    selfId: 'orchestrator',
    now,
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

describe('request signing', () => {
  it('accepts a correctly signed request and names the caller', () => {
    expect(verifier().verify(signed())).toBe('manager');
  });

  it('rejects a request without signature headers', () => {
    expect(codeOf(() => verifier().verify({ method: 'GET', path: '/v1/health', headers: {}, body: '' }))).toBe('SIGNATURE_MISSING');
  });

  it('rejects a caller it does not know', () => {
    expect(codeOf(() => verifier().verify(signed({ caller: 'mallory', key: stranger.privateKey })))).toBe('CALLER_UNKNOWN');
  });

  it('rejects a known caller id signed with another key (forgery)', () => {
    expect(codeOf(() => verifier().verify(signed({ key: stranger.privateKey })))).toBe('SIGNATURE_INVALID');
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
  ])('rejects a request whose %s was changed after signing', (_part, tamper) => {
    expect(codeOf(() => verifier().verify(tamper(signed())))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a request signed for another component', () => {
    expect(codeOf(() => verifier().verify(signed({ audience: 'router' })))).toBe('AUDIENCE_MISMATCH');
  });

  it('rejects timestamps more than 60 s away in either direction, accepts within', () => {
    const now = Date.now();
    const v = verifier(() => now);
    expect(codeOf(() => v.verify(signed({ now: now - 61_000 })))).toBe('SIGNATURE_EXPIRED');
    expect(codeOf(() => v.verify(signed({ now: now + 61_000 })))).toBe('SIGNATURE_EXPIRED');
    expect(v.verify(signed({ now: now - 59_000 }))).toBe('manager');
  });

  it('accepts each request once (replay rejected)', () => {
    const v = verifier();
    const request = signed();
    expect(v.verify(request)).toBe('manager');
    expect(codeOf(() => v.verify(request))).toBe('SIGNATURE_REPLAYED');
  });

  it('does not let a forged request burn a nonce', () => {
    const v = verifier();
    const genuine = signed();
    const forged = { ...genuine, body: 'tampered' };
    expect(codeOf(() => v.verify(forged))).toBe('SIGNATURE_INVALID');
    expect(v.verify(genuine)).toBe('manager');
  });

  it("enforces the caller's route allow-list", () => {
    const v = verifier();
    expect(codeOf(() => v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'PUT', path: '/v1/sites/1' })))).toBe(
      'ROUTE_FORBIDDEN',
    );
    expect(
      codeOf(() =>
        v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'GET', path: '/ws/shell-server/../v1/sites', body: '' })),
      ),
    ).toBe('ROUTE_FORBIDDEN');
    expect(v.verify(signed({ caller: 'shell', key: shell.privateKey, method: 'GET', path: '/ws/shell-server/7', body: '' }))).toBe('shell');
  });

  it('rejects duplicated signature headers rather than guessing which one counts', () => {
    const request = signed();
    const headers = { ...request.headers, 'x-dais-caller': ['manager', 'manager'] };
    expect(codeOf(() => verifier().verify({ ...request, headers }))).toBe('SIGNATURE_MISSING');
  });
});
