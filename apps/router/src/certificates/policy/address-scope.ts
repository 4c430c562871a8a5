import { BlockList, isIPv4 } from 'node:net';

/**
 * Addresses a public certificate authority can never reach: loopback, private, link-local,
 * carrier-grade NAT, documentation, multicast and reserved ranges. A domain that resolves only
 * to these cannot pass HTTP-01, and probing them from the router would let anyone who controls a
 * domain's DNS make the router send requests into its own private network.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True for an address on the public internet (where a certificate authority connects from outside). */
export function isPublicAddress(address: string): boolean {
  return !NOT_PUBLIC.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
