import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../../../test/support/error-code';
import { assertDashboardOrigin, assertJsonBody, dashboardOrigins } from './request-origin';

const origins = dashboardOrigins({
  publicUrl: 'https://dais.example.org/',
  http: { host: '127.0.0.1', port: 7000, bodyLimitBytes: 1, allowedOrigins: ['http://127.0.0.1:7000'], trustedProxies: [] },
});

describe("requests from the dashboard's own pages", () => {
  it("accepts the public URL's origin, the allowed ones, and requests without an Origin (scripts)", () => {
    expect([...origins].sort()).toEqual(['http://127.0.0.1:7000', 'https://dais.example.org']);
    for (const origin of ['https://dais.example.org', 'http://127.0.0.1:7000', undefined]) {
      expect(codeOf(() => assertDashboardOrigin({ origin }, origins))).toBeUndefined();
    }
  });

  it('refuses every other origin, sandboxed pages and look-alikes', () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'https://dais.example.org.evil.example',
      'http://dais.example.org',
      'https://dais.example.org:8443',
    ]) {
      expect(
        codeOf(() => assertDashboardOrigin({ origin }, origins)),
        origin,
      ).toBe('CSRF_FAILED');
    }
  });

  it('takes only JSON bodies: nothing an HTML form can send', () => {
    expect(codeOf(() => assertJsonBody({ 'content-type': 'application/json; charset=utf-8' }))).toBeUndefined();
    expect(codeOf(() => assertJsonBody({ 'content-type': 'Application/JSON' }))).toBeUndefined();
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
      'application/json-patch',
      undefined,
    ]) {
      expect(
        codeOf(() => assertJsonBody({ 'content-type': type })),
        type,
      ).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });
});
