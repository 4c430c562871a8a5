import { describe, expect, it } from 'vitest';
import { loadManagerConfig } from '../../config/manager.config';
import { platformHostnames } from './platform-hostnames';

const config = (env: Record<string, string>) => loadManagerConfig({ DATABASE_URL: 'postgresql://dais@localhost/dais', ...env });

describe('the platform’s own hostnames', () => {
  it('gathers the sites domain, the dashboard, the shell, the components and the admin’s list, normalized, without IP addresses', () => {
    const names = platformHostnames(
      config({
        DAIS_SITES_DOMAIN: 'Sites.Example.org.',
        DAIS_PUBLIC_URL: 'https://Panel.Example.org',
        DAIS_ALLOWED_ORIGINS: 'https://panel.example.org,http://127.0.0.1:7000,https://old-panel.example.org',
        DAIS_SHELL_PUBLIC_HOST: 'ssh.example.org',
        DAIS_ORCHESTRATOR_URL: 'https://orchestrator.internal.example:7100',
        DAIS_ROUTER_URL: 'http://[::1]:7200',
        DAIS_RESERVED_HOSTNAMES: 'edge.example.net, lb.example.net',
      }),
    );
    expect(names.map((name) => name.hostname)).toEqual([
      'sites.example.org',
      'panel.example.org',
      'old-panel.example.org',
      'ssh.example.org',
      'orchestrator.internal.example',
      'edge.example.net',
      'lb.example.net',
    ]);
    expect(names.find((name) => name.hostname === 'ssh.example.org')?.what).toMatch(/shell/);
  });

  it('keeps the defaults of a development machine to the sites domain and localhost', () => {
    expect(platformHostnames(config({})).map((name) => name.hostname)).toEqual(['dais.localhost', 'localhost']);
  });

  it('refuses a reserved list that is not hostnames', () => {
    expect(() => config({ DAIS_RESERVED_HOSTNAMES: 'ok.example.org,bad name' })).toThrow(/DAIS_RESERVED_HOSTNAMES/);
  });
});
