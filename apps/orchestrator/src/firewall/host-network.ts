import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

/**
 * The IPv4 name servers of this host (`/etc/resolv.conf`): Docker's embedded DNS forwards builds'
 * queries to them, so the build fence lets port 53 through to them even inside a blocked network.
 */
export async function hostResolvers(path = '/etc/resolv.conf'): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1] ?? '')
    .filter((address) => isIP(address) === 4);
}

/** The kernel's ephemeral port range, which Docker publishes host ports from. */
export async function ephemeralPorts(path = '/proc/sys/net/ipv4/ip_local_port_range'): Promise<{ from: number; to: number }> {
  const [from, to] = (await readFile(path, 'utf8').catch(() => '32768 60999')).trim().split(/\s+/).map(Number);
  return from && to && from <= to ? { from, to } : { from: 32768, to: 60999 };
}
