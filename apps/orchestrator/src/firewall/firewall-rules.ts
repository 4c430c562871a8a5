import { isIP } from 'node:net';
import { addressFamily } from '@dais/shared';

/** The IP family a chain lives in: `iptables` or `ip6tables`. */
export type IpFamily = 4 | 6;

/**
 * One chain of Dais's own: its whole content (replaced at once on every apply) and the built-in
 * chain that jumps to it. Dais only ever inserts one jump into `INPUT` or Docker's `DOCKER-USER`
 * (the chain Docker leaves to admins); it never flushes or reorders Docker's own chains.
 */
export interface DaisChain {
  family: IpFamily;
  name: string;
  hook: 'INPUT' | 'DOCKER-USER';
  /** Each rule as the arguments after `-A <name>`. */
  rules: string[][];
}

/** How image builds are fenced in (see docs/images.md, "Contained builds"). */
export interface BuildFence {
  /** The build network's bridge interface. */
  bridge: string;
  /** IPv4 networks builds may not reach (the platform's private networks, cloud metadata). */
  blockedNetworks: readonly string[];
  /** Resolvers builds may still query on port 53, even inside a blocked network. */
  dnsServers: readonly string[];
}

/** How Swarm site tasks are fenced in (see docs/architecture.md, "Dynamic sites"). */
export interface TaskFence {
  /** The sites' bridge interface on this node. */
  bridge: string;
  /** Addresses or networks of the orchestrators whose nginx may reach tasks on this node. */
  allowedSources: readonly string[];
  /** The range host ports are published from (the kernel's ephemeral range, Docker's choice). */
  publishedPorts: { from: number; to: number };
  /** Addresses of the Swarm's nodes: tasks may not reach their published ports. */
  nodeAddresses: readonly string[];
}

export const BUILD_INPUT_CHAIN = 'DAIS-BUILD-INPUT';
export const BUILD_FORWARD_CHAIN = 'DAIS-BUILD-FORWARD';
export const SITES_FORWARD_CHAIN = 'DAIS-SITES-FORWARD';
export const SWARM_INPUT_CHAIN = 'DAIS-SWARM-INPUT';
export const SWARM_FORWARD_CHAIN = 'DAIS-SWARM-FORWARD';

const REJECT_TCP = ['-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
const REJECT = ['-j', 'REJECT'];

/**
 * Builds may resolve names and reach package mirrors through NAT, nothing else of ours: no address
 * of this host (the databases, Redis, every component's port: that traffic enters through INPUT, out
 * of Docker's isolation rules), and no blocked network (forwarded traffic, checked in DOCKER-USER
 * before Docker accepts it). Other Docker networks are already out of reach (Docker's isolation).
 * A refusal is a reset, so a build that tries fails at once instead of waiting for a timeout.
 */
export function buildFenceChains(fence: BuildFence): DaisChain[] {
  const from = ['-i', checkedInterface(fence.bridge)];
  const dns = fence.dnsServers.filter((server) => isIP(server) === 4).map(checkedAddress);
  const allowDns = (to: string[]): string[][] =>
    ['udp', 'tcp'].map((protocol) => [...from, ...to, '-p', protocol, '--dport', '53', '-j', 'RETURN']);
  const input = [...allowDns([]), [...from, ...REJECT_TCP], [...from, ...REJECT]];
  const forward = [
    ...dns.flatMap((server) => allowDns(['-d', server])),
    ...fence.blockedNetworks.map(checkedAddress).flatMap((network) => [
      [...from, '-d', network, ...REJECT_TCP],
      [...from, '-d', network, ...REJECT],
    ]),
  ];
  return [
    { family: 4, name: BUILD_INPUT_CHAIN, hook: 'INPUT', rules: input },
    { family: 4, name: BUILD_FORWARD_CHAIN, hook: 'DOCKER-USER', rules: forward },
  ];
}

/**
 * Site containers of the `docker` runtime publish no port: this host's nginx reaches them on their
 * bridge (its own traffic, not forwarded). Nothing may be forwarded into that bridge to start a
 * connection, whatever the FORWARD policy (Docker leaves it ACCEPT on a host that forwarded before
 * Docker started, and then anyone routing the sites' subnet through this host would reach them).
 */
export function containerFenceChains(bridge: string): DaisChain[] {
  const to = ['-o', checkedInterface(bridge)];
  return [
    {
      family: 4,
      name: SITES_FORWARD_CHAIN,
      hook: 'DOCKER-USER',
      rules: [
        [...to, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
        [...to, ...REJECT_TCP],
        [...to, ...REJECT],
      ],
    },
  ];
}

/**
 * Only the orchestrators' nginx reaches Swarm site tasks. Swarm publishes each task's port on every
 * address of its node; two paths lead there, both closed but for the allowed sources:
 * - forwarded (IPv4 from another host, NATed to the task): DOCKER-USER refuses new connections
 *   into the sites' bridge;
 * - Docker's userland proxy (IPv6, and containers of other networks on this host): INPUT refuses
 *   new connections to the published range that do not come over loopback (this host's own nginx).
 * Tasks cannot reach the published ports of other nodes either (their traffic leaves NATed to this
 * node's address, which another node may allow). Same-node neighbours: the bridge has
 * inter-container traffic off.
 */
export function taskFenceChains(fence: TaskFence): DaisChain[] {
  const bridge = checkedInterface(fence.bridge);
  const ports = checkedPortRange(fence.publishedPorts);
  const sources = fence.allowedSources.map(checkedAddress);
  const published = ['-p', 'tcp', '--dport', ports, '-m', 'conntrack', '--ctstate', 'NEW'];
  const input = (family: IpFamily): DaisChain => ({
    family,
    name: SWARM_INPUT_CHAIN,
    hook: 'INPUT',
    rules: [
      ['-i', 'lo', '-j', 'RETURN'],
      ...sources.filter((source) => addressFamily(source) === family).map((source) => ['-s', source, '-j', 'RETURN']),
      [...published, '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    ],
  });
  const forward: DaisChain = {
    family: 4,
    name: SWARM_FORWARD_CHAIN,
    hook: 'DOCKER-USER',
    rules: [
      ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
      ...sources.filter((source) => addressFamily(source) === 4).map((source) => ['-o', bridge, '-s', source, '-j', 'RETURN']),
      ['-o', bridge, ...REJECT_TCP],
      ['-o', bridge, ...REJECT],
      ...fence.nodeAddresses
        .filter((address) => isIP(address) === 4)
        .map(checkedAddress)
        .map((address) => ['-i', bridge, '-d', address, '-p', 'tcp', '--dport', ports, '-j', 'REJECT', '--reject-with', 'tcp-reset']),
    ],
  };
  return [input(4), input(6), forward];
}

/** The `iptables-restore --noflush` input that replaces exactly these chains (declaring a chain empties it). */
export function restoreInput(chains: readonly DaisChain[]): string {
  const lines = ['*filter', ...chains.map((chain) => `:${chain.name} - [0:0]`)];
  for (const chain of chains) for (const rule of chain.rules) lines.push(['-A', chain.name, ...rule].join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

// Every value below lands in an iptables argument: anything unexpected is refused, never quoted.
function checkedAddress(value: string): string {
  if (addressFamily(value) === 0) throw new Error(`not an IP address or network: ${JSON.stringify(value)}`);
  return value;
}

function checkedInterface(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(name)) throw new Error(`not a network interface name: ${JSON.stringify(name)}`);
  return name;
}

function checkedPortRange({ from, to }: { from: number; to: number }): string {
  const valid = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;
  if (!valid(from) || !valid(to) || from > to) throw new Error(`not a port range: ${from}-${to}`);
  return `${from}:${to}`;
}
