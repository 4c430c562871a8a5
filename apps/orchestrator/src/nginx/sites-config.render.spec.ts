import { join } from 'node:path';
import { NginxRenderError } from '@dais/nginx';
import type { SiteSpec } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden';
import { renderSitesConfig, type SitesConfigInput } from './sites-config.render';

const site = (overrides: Partial<SiteSpec> = {}): SiteSpec => ({
  id: 1,
  name: 'blog',
  type: 'static',
  availability: 'enabled',
  hostnames: ['blog.dais.localhost'],
  runtime: null,
  nginx: {},
  diskLimitMb: 1_024,
  ...overrides,
});

const runtime = (overrides: Partial<NonNullable<SiteSpec['runtime']>> = {}): NonNullable<SiteSpec['runtime']> => ({
  image: 'dais/busybox:latest',
  limits: { memoryMb: 256, cpus: 0.5, pids: 256 },
  env: {},
  secrets: {},
  database: null,
  stopped: false,
  replicas: 1,
  runScript: null,
  ...overrides,
});

const ENDPOINTS: Record<number, string[]> = { 4: ['172.19.0.5:8080'], 5: ['10.0.0.11:30001', '10.0.0.12:30002'] };

const input = (sites: SiteSpec[], overrides: Partial<SitesConfigInput> = {}): SitesConfigInput => ({
  prefix: '/srv/dais/orchestrator/nginx',
  generation: 3,
  statusPort: 7102,
  listen: { host: '127.0.0.1', port: 7101 },
  sitesRoot: '/srv/dais/orchestrator/data/sites',
  publicDirOf: (id) => `/srv/dais/orchestrator/data/sites/${id}/public`,
  endpointsOf: (id) => ENDPOINTS[id] ?? [],
  sites,
  ...overrides,
});

const golden = (name: string, actual: string | undefined) => expectGolden(join(__dirname, '__golden__', name), actual ?? '');

const everyKind = [
  site(),
  site({ id: 2, name: 'shop', hostnames: ['shop.dais.localhost', 'shop.example.org', '*.shop.example.org'] }),
  site({ id: 3, name: 'paused', availability: 'not_served', hostnames: ['paused.dais.localhost'] }),
  site({ id: 4, name: 'app', type: 'dynamic', hostnames: ['app.dais.localhost'], runtime: runtime() }),
  site({ id: 5, name: 'swarmy', type: 'dynamic', hostnames: ['swarmy.dais.localhost'], runtime: runtime({ replicas: 2 }) }),
  site({ id: 6, name: 'crashed', type: 'dynamic', hostnames: ['crashed.dais.localhost'], runtime: runtime() }),
  site({ id: 7, name: 'resting', type: 'dynamic', hostnames: ['resting.dais.localhost'], runtime: runtime({ stopped: true }) }),
  site({
    id: 8,
    name: 'uploads',
    hostnames: ['uploads.dais.localhost'],
    nginx: { clientMaxBodyMb: 200, snippet: 'add_header X-Robots-Tag "noindex";\nlocation = /health { return 204; }' },
  }),
];

describe('orchestrator nginx config', () => {
  it('renders every kind of site as map entries, with own blocks only where needed (golden files)', () => {
    const files = renderSitesConfig(input(everyKind));
    for (const name of ['nginx.conf', 'site-kinds.map', 'site-roots.map', 'site-upstreams.map', 'site-upstream-groups.conf']) {
      golden(name === 'nginx.conf' ? 'sites.nginx.conf' : name, files[name]);
    }
  });

  it('routes each kind the way visitors must see it', () => {
    const kinds = renderSitesConfig(input(everyKind))['site-kinds.map'];
    expect(kinds).toContain('"blog.dais.localhost" "static";');
    expect(kinds).toContain('"paused.dais.localhost" "unavailable";');
    expect(kinds).toContain('"app.dais.localhost" "dynamic";');
    expect(kinds).toContain('"crashed.dais.localhost" "down";');
    expect(kinds).toContain('"resting.dais.localhost" "unavailable";');
  });

  it('renders an empty tier', () => {
    expect(renderSitesConfig(input([]))['site-kinds.map']).toBe('# no entries\n');
  });

  it.each([
    ['a hostname with a quote', { hostnames: ['a".example.org'] }],
    ['a hostname with a semicolon', { hostnames: ['a;.example.org'] }],
    ['a hostname with a newline', { hostnames: ['a\n.example.org'] }],
    ['a hostname with a variable', { hostnames: ['$host'] }],
    ['an uppercase hostname', { hostnames: ['A.example.org'] }],
    ['a snippet closing the server block', { nginx: { snippet: '} server { listen 80;' } }],
    ['a snippet with unbalanced braces', { nginx: { snippet: 'location / {' } }],
    ['a snippet with an unclosed quote', { nginx: { snippet: 'add_header X "y;' } }],
  ])('refuses %s even if it slipped past the contract', (_label, overrides) => {
    expect(() => renderSitesConfig(input([site(overrides)]))).toThrow(NginxRenderError);
  });

  it('accepts braces inside quotes and comments of a snippet', () => {
    const snippet = 'add_header X-Note "a } b";\n# a comment with } in it\nlocation = /x { return 204; }';
    expect(renderSitesConfig(input([site({ nginx: { snippet } })]))['nginx.conf']).toContain('return 204;');
  });

  it('refuses an endpoint that is not ip:port', () => {
    const dynamic = site({ id: 4, type: 'dynamic', runtime: runtime() });
    expect(() => renderSitesConfig(input([dynamic], { endpointsOf: () => ['evil.example:80'] }))).toThrow(NginxRenderError);
  });

  it('refuses a site folder with unsafe characters', () => {
    expect(() => renderSitesConfig(input([site()], { publicDirOf: () => '/srv/x y/public' }))).toThrow(NginxRenderError);
  });

  it('checks symbolic links from the sites folder on, so a site cannot swap its public folder for a link', () => {
    const config = renderSitesConfig(input([site()]))['nginx.conf'] ?? '';
    expect(config).toContain('disable_symlinks if_not_owner from=/srv/dais/orchestrator/data/sites;');
    expect(config).not.toContain('from=$dais_site_root');
    expect(() => renderSitesConfig(input([], { sitesRoot: '/srv/x y/sites' }))).toThrow(NginxRenderError);
  });

  it('refuses a listen address that is not an IP', () => {
    expect(() => renderSitesConfig(input([], { listen: { host: 'localhost', port: 80 } }))).toThrow(NginxRenderError);
  });
});
