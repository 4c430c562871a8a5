import { describe, expect, it } from 'vitest';
import { buildFenceChains, containerFenceChains, restoreInput, taskFenceChains, type DaisChain } from './firewall-rules';

const rulesOf = (chains: DaisChain[], name: string, family = 4) =>
  chains.find((chain) => chain.name === name && chain.family === family)?.rules.map((rule) => rule.join(' '));

describe('the build fence', () => {
  const chains = buildFenceChains({
    bridge: 'dais-builds',
    blockedNetworks: ['10.0.0.0/8', '169.254.0.0/16'],
    dnsServers: ['10.255.255.53', 'fd00::53'],
  });

  it('refuses everything from the build bridge to this host but DNS, with a reset', () => {
    expect(rulesOf(chains, 'DAIS-BUILD-INPUT')).toEqual([
      '-i dais-builds -p udp --dport 53 -j RETURN',
      '-i dais-builds -p tcp --dport 53 -j RETURN',
      '-i dais-builds -p tcp -j REJECT --reject-with tcp-reset',
      '-i dais-builds -j REJECT',
    ]);
    expect(chains.find((chain) => chain.name === 'DAIS-BUILD-INPUT')?.hook).toBe('INPUT');
  });

  it('refuses the blocked networks in DOCKER-USER, letting DNS through to the resolvers only', () => {
    expect(rulesOf(chains, 'DAIS-BUILD-FORWARD')).toEqual([
      '-i dais-builds -d 10.255.255.53 -p udp --dport 53 -j RETURN',
      '-i dais-builds -d 10.255.255.53 -p tcp --dport 53 -j RETURN',
      '-i dais-builds -d 10.0.0.0/8 -p tcp -j REJECT --reject-with tcp-reset',
      '-i dais-builds -d 10.0.0.0/8 -j REJECT',
      '-i dais-builds -d 169.254.0.0/16 -p tcp -j REJECT --reject-with tcp-reset',
      '-i dais-builds -d 169.254.0.0/16 -j REJECT',
    ]);
    expect(chains.find((chain) => chain.name === 'DAIS-BUILD-FORWARD')?.hook).toBe('DOCKER-USER');
  });

  it.each([
    ['an interface name with a space', { bridge: 'br 0', blockedNetworks: [], dnsServers: [] }],
    ['an interface name too long for Linux', { bridge: 'a-very-long-bridge', blockedNetworks: [], dnsServers: [] }],
    ['a network that is not one', { bridge: 'br0', blockedNetworks: ['10.0.0.0/8 -j ACCEPT'], dnsServers: [] }],
    ['a prefix length out of range', { bridge: 'br0', blockedNetworks: ['10.0.0.0/33'], dnsServers: [] }],
  ])('refuses %s instead of writing it into a rule', (_label, fence) => {
    expect(() => buildFenceChains(fence)).toThrow();
  });
});

describe('the Swarm task fence', () => {
  const chains = taskFenceChains({
    bridge: 'dais-swarm',
    allowedSources: ['192.0.2.10', 'fd00::10'],
    publishedPorts: { from: 32768, to: 60999 },
    nodeAddresses: ['192.0.2.20', 'fd00::20'],
  });

  it('lets only loopback and the orchestrators open connections to published ports, per family', () => {
    const refuse = '-p tcp --dport 32768:60999 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset';
    expect(rulesOf(chains, 'DAIS-SWARM-INPUT', 4)).toEqual(['-i lo -j RETURN', '-s 192.0.2.10 -j RETURN', refuse]);
    expect(rulesOf(chains, 'DAIS-SWARM-INPUT', 6)).toEqual(['-i lo -j RETURN', '-s fd00::10 -j RETURN', refuse]);
  });

  it('refuses new forwarded connections into the sites bridge but from the orchestrators, and tasks to other nodes', () => {
    expect(rulesOf(chains, 'DAIS-SWARM-FORWARD')).toEqual([
      '-o dais-swarm -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-o dais-swarm -s 192.0.2.10 -j RETURN',
      '-o dais-swarm -p tcp -j REJECT --reject-with tcp-reset',
      '-o dais-swarm -j REJECT',
      '-i dais-swarm -d 192.0.2.20 -p tcp --dport 32768:60999 -j REJECT --reject-with tcp-reset',
    ]);
  });

  it('refuses a port range that is not one', () => {
    expect(() =>
      taskFenceChains({ bridge: 'b', allowedSources: [], publishedPorts: { from: 61000, to: 32768 }, nodeAddresses: [] }),
    ).toThrow();
  });
});

describe('the docker runtime fence', () => {
  it('refuses every new connection forwarded into the sites bridge (this host reaches it without forwarding)', () => {
    expect(rulesOf(containerFenceChains('br-e61acee3a1a4'), 'DAIS-SITES-FORWARD')).toEqual([
      '-o br-e61acee3a1a4 -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-o br-e61acee3a1a4 -p tcp -j REJECT --reject-with tcp-reset',
      '-o br-e61acee3a1a4 -j REJECT',
    ]);
  });
});

describe('restore input', () => {
  it('declares (and so empties) exactly the given chains, then appends their rules, in one transaction', () => {
    const text = restoreInput([
      { family: 4, name: 'DAIS-A', hook: 'INPUT', rules: [['-i', 'x', '-j', 'DROP']] },
      { family: 4, name: 'DAIS-B', hook: 'DOCKER-USER', rules: [] },
    ]);
    expect(text).toBe('*filter\n:DAIS-A - [0:0]\n:DAIS-B - [0:0]\n-A DAIS-A -i x -j DROP\nCOMMIT\n');
  });
});
