import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports for test servers, without the race of "bind port 0, close, hand the number on": such a
 * port comes from the kernel's ephemeral range, where any outgoing connection or another test may
 * take it before nginx, Redis or a component binds it. Ports come instead from a pool the kernel
 * never hands out by itself, each reserved for the life of the process that took it (across every
 * checkout on the machine), and checked free at that moment. See docs/development.md "Ports in tests".
 */

/** Below Swarm's dynamic range (30000–32767) and Linux's default ephemeral range (32768–60999); above every port `npm start` and the databases use. */
const PREFERRED_POOL = { from: 20_000, to: 29_999 };
/** Reservations are abstract Unix sockets named `<namespace>:<port>`: one machine-wide name per port, freed by the kernel when their process ends. */
const NAMESPACE = 'dais-test-port';

/** Where an allocator takes ports from, and the name under which they are reserved. */
export interface PortPool {
  from: number;
  to: number;
  namespace: string;
}

/** The pool tests use: the preferred range minus the kernel's ephemeral range, as this machine has it. */
export function testPortPool(): PortPool {
  const [low = NaN, high = NaN] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  // What is left of the preferred range below and above the ephemeral one: the larger part.
  const below = { from: PREFERRED_POOL.from, to: Math.min(PREFERRED_POOL.to, low - 1) };
  const above = { from: Math.max(PREFERRED_POOL.from, high + 1), to: PREFERRED_POOL.to };
  const { from, to } = below.to - below.from >= above.to - above.from ? below : above;
  if (!(to - from >= 1_000))
    throw new Error(
      `The kernel's ephemeral port range (${low}–${high}, /proc/sys/net/ipv4/ip_local_port_range) covers the test port pool ` +
        `${PREFERRED_POOL.from}–${PREFERRED_POOL.to}; set it back to Linux's default: sysctl net.ipv4.ip_local_port_range="32768 60999".`,
    );
  return { from, to, namespace: NAMESPACE };
}

/** Hands out ports of one pool, each reserved until this process ends. */
export class PortAllocator {
  /** The reservations this process holds; kept so they live as long as the process. */
  private readonly held = new Map<number, Server>();

  constructor(private readonly pool: PortPool) {}

  /** A port of the pool that no process has reserved and nothing listens on (TCP or UDP), now reserved by this process. */
  async take(): Promise<number> {
    const size = this.pool.to - this.pool.from + 1;
    const start = randomInt(size);
    for (let offset = 0; offset < size; offset++) {
      const port = this.pool.from + ((start + offset) % size);
      if (await this.reserve(port)) return port;
    }
    throw new Error(`No free port left in ${this.pool.from}–${this.pool.to} (every one is reserved or in use).`);
  }

  /** Reserves this port for this process if nobody holds it and nothing listens on it; false otherwise. */
  async reserve(port: number): Promise<boolean> {
    if (this.held.has(port)) return false;
    const lock = createServer();
    if (!(await listened(lock, { path: lockName(this.pool.namespace, port) }))) return false;
    // A reservation must not keep a process alive that has nothing else to do.
    lock.unref();
    if (!(await bindable(port))) {
      lock.close();
      return false;
    }
    this.held.set(port, lock);
    return true;
  }
}

let shared: PortAllocator | undefined;

/** A TCP (and UDP) port on this machine that is free and stays reserved for this process until it ends. */
export async function freePort(): Promise<number> {
  shared ??= new PortAllocator(testPortPool());
  return shared.take();
}

/** Several distinct free ports, each reserved like {@link freePort}'s. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

/**
 * The reservation's abstract socket name, padded with NULs to the whole `sun_path` (108 bytes): Node
 * 20 binds an abstract name padded so, a runtime that binds the exact length would see another name.
 */
function lockName(namespace: string, port: number): string {
  return `\0${namespace}:${port}`.padEnd(108, '\0');
}

/** Whether the server could listen there (false on EADDRINUSE and the like). */
function listened(server: Server, where: { path: string } | { port: number; host: string }): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(where, () => resolve(true));
  });
}

/** Whether nothing on this machine listens on the port, over TCP or UDP, on any IPv4 address. */
async function bindable(port: number): Promise<boolean> {
  const tcp = createServer();
  if (!(await listened(tcp, { port, host: '0.0.0.0' }))) return false;
  await new Promise((resolve) => tcp.close(resolve));
  const udp = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    udp.once('error', () => udp.close(() => resolve(false)));
    udp.bind(port, '0.0.0.0', () => udp.close(() => resolve(true)));
  });
}
