import { join } from 'node:path';
import { NginxRenderError } from '@dais/nginx';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden';
import { renderEdgeConfig, type EdgeConfigInput } from './edge-config.render';

const input = (overrides: Partial<EdgeConfigInput> = {}): EdgeConfigInput => ({
  prefix: '/srv/dais/router/nginx',
  generation: 5,
  statusPort: 7202,
  listen: { host: '0.0.0.0', port: 8080 },
  orchestrators: ['10.0.0.11:7101', '10.0.0.12:7101'],
  routes: [
    { siteId: 1, hostnames: ['blog.dais.localhost'] },
    { siteId: 2, hostnames: ['shop.dais.localhost', 'shop.example.org', '*.shop.example.org'] },
  ],
  ...overrides,
});

describe('router nginx config', () => {
  it('forwards every hostname to the orchestrator pool (golden files)', () => {
    const files = renderEdgeConfig(input());
    expectGolden(join(__dirname, '__golden__', 'edge.nginx.conf'), files['nginx.conf'] ?? '');
    expectGolden(join(__dirname, '__golden__', 'routes.map'), files['routes.map'] ?? '');
  });

  it.each([['orchestrator:7101'], ['10.0.0.1'], ['10.0.0.1:7101; include /etc/passwd']])('refuses upstream %j', (address) => {
    expect(() => renderEdgeConfig(input({ orchestrators: [address] }))).toThrow(NginxRenderError);
  });

  it.each([['evil.org;'], ['evil.org" "1'], ['EVIL.org'], ['$http_host']])('refuses hostname %j', (hostname) => {
    expect(() => renderEdgeConfig(input({ routes: [{ siteId: 1, hostnames: [hostname] }] }))).toThrow(NginxRenderError);
  });
});
