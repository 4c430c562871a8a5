import { DaisError, isDaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { explainSiteRefusal, type RefusedSite } from './site-refusal';

const LONG = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.example.org`;
const site = (overrides: Partial<RefusedSite> = {}): RefusedSite => ({
  component: 'orchestrator',
  siteId: 42,
  hostnames: ['blog.dais.localhost', LONG],
  previousHostnames: ['blog.dais.localhost'],
  ...overrides,
});
const rejected = (nginxOutput: string, refusedLine?: { file: string; line: number; text: string }) =>
  new DaisError('NGINX_CONFIG_REJECTED', `nginx refused the new configuration: ${nginxOutput}`, {
    nginxOutput,
    ...(refusedLine ? { refusedLine } : {}),
  });

/** A log that records what it was told, so a test can see nginx's text went there. */
const recorder = () => {
  const entries: object[] = [];
  return { entries, warn: (details: object) => void entries.push(details) };
};

describe('explainSiteRefusal', () => {
  it('names the new hostname for a hash nginx cannot build, says what to do, and keeps nginx’s text out of the message', () => {
    const log = recorder();
    const output = '[emerg] 12#12: could not build map_hash, you should increase map_hash_bucket_size: 128';
    const error = explainSiteRefusal(site(), rejected(output), log);
    expect(isDaisError(error, 'NGINX_CONFIG_REJECTED')).toBe(true);
    const message = (error as DaisError).message;
    expect(message).toContain(`nginx refused the hostname ${LONG}`);
    expect(message).toContain('Remove it from the site');
    expect(message).not.toMatch(/map_hash|emerg|bucket/);
    expect((error as DaisError).details).toMatchObject({ nginxOutput: output, culprit: { kind: 'hostname', hostname: LONG } });
    expect(log.entries).toEqual([{ siteId: 42, code: 'NGINX_CONFIG_REJECTED', nginx: output }]);
  });

  it('names the hostname on the line nginx points at', () => {
    const line = { file: 'site-kinds.map', line: 3, text: '"blog.dais.localhost" "static" "x";' };
    const error = explainSiteRefusal(site(), rejected('invalid number of the map parameters in site-kinds.map:3', line), recorder());
    expect((error as DaisError).message).toContain('nginx refused the hostname blog.dais.localhost.');
  });

  it('names the line of the snippet nginx points at, for an administrator to fix', () => {
    const line = { file: 'nginx.conf', line: 160, text: '        gzip_types text/a;' };
    const error = explainSiteRefusal(
      site({ snippetLines: ['gzip on;', 'gzip_types text/a;'] }),
      rejected('x in nginx.conf:160', line),
      recorder(),
    );
    expect((error as DaisError).message).toContain("line 2 of the site's custom nginx snippet. An administrator must correct or remove");
  });

  it('names the body limit, or says to retry when nothing points at a culprit', () => {
    const line = { file: 'nginx.conf', line: 150, text: '        client_max_body_size 5m;' };
    expect((explainSiteRefusal(site({ clientMaxBodyMb: 5 }), rejected('x', line), recorder()) as DaisError).message).toContain(
      'request-body limit (5 MB)',
    );
    const unknown = explainSiteRefusal(site(), rejected('something else'), recorder()) as DaisError;
    expect(unknown.message).toMatch(/refused its new configuration\. Retry the operation; .*orchestrator log/);
  });

  it('says a failed reload is retried and the previous configuration still serves, without nginx’s text', () => {
    const raw = new DaisError('NGINX_RELOAD_FAILED', 'nginx could not load … bind() to 0.0.0.0:80 failed', {
      nginxOutput: 'bind() failed',
    });
    const error = explainSiteRefusal(site({ component: 'router' }), raw, recorder()) as DaisError;
    expect(error.code).toBe('NGINX_RELOAD_FAILED');
    expect(error.message).toMatch(/previous one is still serving\. This is retried automatically; .*router log/);
    expect(error.message).not.toContain('bind');
  });

  it('passes other errors through', () => {
    const other = new DaisError('HOSTNAME_CONFLICT', 'taken');
    expect(explainSiteRefusal(site(), other, recorder())).toBe(other);
  });
});
