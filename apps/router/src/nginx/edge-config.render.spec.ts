import { join } from 'node:path';
import { NginxRenderError } from '@dais/nginx';
import type { RouteSpec } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden';
import { renderEdgeConfig, type EdgeConfigInput } from './edge-config.render';
import type { ServableCertificate } from './edge-tls.render';

const route = (siteId: number, hostnames: string[], certificateHostnames: string[] = [], clientMaxBodyMb?: number): RouteSpec => ({
  siteId,
  hostnames,
  certificateHostnames,
  ...(clientMaxBodyMb === undefined ? {} : { clientMaxBodyMb }),
});

const certificate = (siteId: number, hostnames: string[], overrides: Partial<ServableCertificate> = {}): ServableCertificate => ({
  siteId,
  hostnames,
  certificateFile: `/srv/dais/router/acme/certificates/${siteId}/abc123.fullchain.pem`,
  keyFile: `/srv/dais/router/acme/certificates/${siteId}/abc123.key.pem`,
  ...overrides,
});

const input = (overrides: Partial<EdgeConfigInput> = {}, certificates: ServableCertificate[] = []): EdgeConfigInput => ({
  prefix: '/srv/dais/router/nginx',
  generation: 5,
  statusPort: 7202,
  listen: { host: '0.0.0.0', port: 8080 },
  orchestrators: ['10.0.0.11:7101', '10.0.0.12:7101'],
  routes: [
    route(1, ['blog.dais.localhost']),
    route(
      2,
      ['shop.dais.localhost', 'shop.example.org', 'www.shop.example.org', '*.shop.example.org'],
      ['shop.example.org', 'www.shop.example.org'],
      50,
    ),
    route(3, ['news.dais.localhost', 'news.example.net'], ['news.example.net']),
  ],
  tls: { httpsPort: 8443, challengeDir: '/srv/dais/router/acme/challenges', certificates },
  ...overrides,
});

const golden = (name: string) => join(__dirname, '__golden__', name);

describe('router nginx config', () => {
  it('forwards every hostname to the orchestrator pool and answers ACME challenges (golden files)', () => {
    const files = renderEdgeConfig(input());
    expectGolden(golden('edge.nginx.conf'), files['nginx.conf'] ?? '');
    expectGolden(golden('routes.map'), files['routes.map'] ?? '');
    expect(files['https.map']).toBe('# no entries\n');
    expect(files['nginx.conf']).not.toContain(' ssl');
  });

  it('serves hostnames with a certificate over HTTPS and redirects their plain HTTP (golden files)', () => {
    const files = renderEdgeConfig(input({}, [certificate(2, ['shop.example.org', 'www.shop.example.org'])]));
    expectGolden(golden('edge-tls.nginx.conf'), files['nginx.conf'] ?? '');
    expectGolden(golden('https.map'), files['https.map'] ?? '');
  });

  it('gives a site with its own request-body limit its own server, on HTTP and on HTTPS; the others share the default', () => {
    const conf = renderEdgeConfig(input({}, [certificate(2, ['shop.example.org', 'www.shop.example.org'])]))['nginx.conf'] ?? '';
    const limited = conf.split('server {').filter((block) => block.includes('client_max_body_size 50m;'));
    // One on the HTTP listener with every hostname of the site, one on HTTPS with its certificate's.
    expect(limited).toHaveLength(2);
    expect(limited[0]).toContain('server_name shop.dais.localhost shop.example.org www.shop.example.org *.shop.example.org;');
    expect(limited[1]).toContain('server_name shop.example.org www.shop.example.org;');
    expect(limited[0]).toContain('location ^~ /.well-known/acme-challenge/');
    expect(conf.match(/client_max_body_size/g)).toHaveLength(2);
  });

  it('serves over HTTPS only names the route still wants a certificate for, and only for routed sites', () => {
    const files = renderEdgeConfig(
      input({}, [
        certificate(2, ['old.example.org', 'shop.example.org']),
        certificate(3, ['news.example.net']),
        certificate(9, ['gone.example.org']),
      ]),
    );
    const conf = files['nginx.conf'] ?? '';
    expect(conf).toContain('server_name shop.example.org;');
    expect(conf).toContain('server_name news.example.net;');
    expect(conf).not.toContain('old.example.org');
    expect(conf).not.toContain('gone.example.org');
    expect(files['https.map']).toBe('"news.example.net" "1";\n"shop.example.org" "1";\n');
  });

  it('redirects to the bare https:// origin when HTTPS is on port 443', () => {
    const conf = renderEdgeConfig(
      input({ tls: { httpsPort: 443, challengeDir: '/srv/c', certificates: [certificate(3, ['news.example.net'])] } }),
    )['nginx.conf'];
    expect(conf).toContain('return 301 https://$host$request_uri;');
  });

  it.each([['orchestrator:7101'], ['10.0.0.1'], ['10.0.0.1:7101; include /etc/passwd']])('refuses upstream %j', (address) => {
    expect(() => renderEdgeConfig(input({ orchestrators: [address] }))).toThrow(NginxRenderError);
  });

  it.each([['evil.org;'], ['evil.org" "1'], ['EVIL.org'], ['$http_host']])('refuses hostname %j', (hostname) => {
    expect(() => renderEdgeConfig(input({ routes: [route(1, [hostname])] }))).toThrow(NginxRenderError);
    expect(() => renderEdgeConfig(input({ routes: [route(1, [hostname], [hostname])] }, [certificate(1, [hostname])]))).toThrow(
      NginxRenderError,
    );
  });

  it.each([['/srv/a b/cert.pem'], ['/srv/x;include /etc/passwd'], ['relative/cert.pem'], ['/srv/../etc/shadow'], ['/srv/$ssl/cert.pem']])(
    'refuses certificate or key path %j',
    (path) => {
      const routes = [route(3, ['news.example.net'], ['news.example.net'])];
      expect(() => renderEdgeConfig(input({ routes }, [certificate(3, ['news.example.net'], { certificateFile: path })]))).toThrow(
        NginxRenderError,
      );
      expect(() => renderEdgeConfig(input({ routes }, [certificate(3, ['news.example.net'], { keyFile: path })]))).toThrow(
        NginxRenderError,
      );
    },
  );

  it.each([['/srv/chal lenges'], ['/srv/x;}'], ['srv/challenges']])('refuses challenge folder %j', (challengeDir) => {
    expect(() => renderEdgeConfig(input({ tls: { httpsPort: 8443, challengeDir, certificates: [] } }))).toThrow(NginxRenderError);
  });
});
