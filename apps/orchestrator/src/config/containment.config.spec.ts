import { describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from './orchestrator.config';

const load = (env: Record<string, string> = {}) => loadOrchestratorConfig({ DAIS_STATE_DIR: '/var/lib/dais', ...env });

describe('containment settings', () => {
  it('defaults to a fenced build and a fenced Swarm', () => {
    const config = load();
    expect(config.build).toEqual({
      concurrency: 2,
      memoryMb: 1024,
      cpus: 1,
      pids: 512,
      timeoutMs: 30 * 60_000,
      network: 'dais-builds',
      blockedNetworks: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'],
      busybox: '/bin/busybox',
      init: '/usr/bin/docker-init',
    });
    expect(config.swarm).toEqual({
      network: 'dais-swarm',
      subnet: '172.30.1.0/24',
      orchestratorAddresses: [],
      registry: null,
      siteConstraints: [],
    });
  });

  it('reads lists, and none as an empty one', () => {
    const config = load({ DAIS_BUILD_BLOCKED_NETWORKS: 'none', DAIS_SWARM_ORCHESTRATOR_ADDRESSES: ' 192.0.2.10, fd00::/64 ' });
    expect(config.build.blockedNetworks).toEqual([]);
    expect(config.swarm.orchestratorAddresses).toEqual(['192.0.2.10', 'fd00::/64']);
  });

  it('reads the Swarm registry and the site constraints', () => {
    const config = load({
      DAIS_SWARM_REGISTRY: ' 172.17.0.1:5000 ',
      DAIS_SWARM_SITE_CONSTRAINTS: 'node.labels.dais.sites == true, node.role!=manager',
    });
    expect(config.swarm.registry).toBe('172.17.0.1:5000');
    expect(config.swarm.siteConstraints).toEqual(['node.labels.dais.sites == true', 'node.role!=manager']);
    expect(load({ DAIS_SWARM_REGISTRY: 'registry.example.org' }).swarm.registry).toBe('registry.example.org');
    expect(load({ DAIS_SWARM_REGISTRY: 'localhost:5000' }).swarm.registry).toBe('localhost:5000');
    expect(load({ DAIS_SWARM_REGISTRY: '' }).swarm.registry).toBeNull();
  });

  it.each([
    ['DAIS_BUILD_BLOCKED_NETWORKS', '10.0.0.0/8 -j ACCEPT'],
    ['DAIS_BUILD_BLOCKED_NETWORKS', 'fd00::/8'],
    ['DAIS_SWARM_ORCHESTRATOR_ADDRESSES', 'nginx.internal'],
    ['DAIS_BUILD_CONCURRENCY', '0'],
    ['DAIS_BUILD_CPUS', '-1'],
    ['DAIS_BUILD_NETWORK', 'a b'],
    ['DAIS_SWARM_SUBNET', '172.30.1.0/24; rm'],
    ['DAIS_BUILD_BUSYBOX', 'busybox'],
    ['DAIS_SWARM_REGISTRY', 'myregistry'],
    ['DAIS_SWARM_REGISTRY', 'registry.example.org:99999'],
    ['DAIS_SWARM_REGISTRY', 'http://registry.example.org'],
    ['DAIS_SWARM_REGISTRY', 'registry.example.org/team'],
    ['DAIS_SWARM_REGISTRY', '-bad.example.org'],
    ['DAIS_SWARM_SITE_CONSTRAINTS', 'node.labels.x==y; rm -rf /'],
    ['DAIS_SWARM_SITE_CONSTRAINTS', 'node.role'],
    ['DAIS_SWARM_SITE_CONSTRAINTS', 'container.labels.x==y'],
  ])('refuses %s=%j, naming the key', (key, value) => {
    expect(() => load({ [key]: value })).toThrow(key);
  });
});
