import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, freePorts, PortAllocator, testPortPool, type PortPool } from './ports';
import { tempDir } from './temp-dir';

/** A process that takes `count` ports from a pool once told to go, prints them, and holds them until it ends. */
interface Taker {
  ports: Promise<number[]>;
  go(): void;
  /** Ends it the hard way: no exit handler of its own gets to release anything. */
  kill(): Promise<void>;
}

function startTaker(script: string, pool: PortPool, count: number): Taker {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(pool), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = new Promise<number[]>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as number[]));
    child.once('exit', (code) => reject(new Error(`the port taker exited (${code}) before printing its ports`)));
  });
  return {
    ports,
    go: () => child.stdin.write('go\n'),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const TAKER = `
import { PortAllocator } from ${JSON.stringify(join(__dirname, 'ports.ts'))};
import { createInterface } from 'node:readline';
const [pool, count] = [JSON.parse(process.argv[2]), Number(process.argv[3])];
const lines = createInterface({ input: process.stdin });
lines.once('line', async () => {
  const allocator = new PortAllocator(pool);
  const ports = [];
  for (let i = 0; i < count; i++) ports.push(await allocator.take());
  process.stdout.write(JSON.stringify(ports) + '\\n');
});
`;

describe('test ports', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A pool of `size` ports under a namespace of this test alone, so real test runs on the machine are not disturbed. */
  function privatePool(size: number): PortPool {
    const { from, to } = testPortPool();
    const start = from + Math.floor(Math.random() * (to - from - size));
    return { from: start, to: start + size - 1, namespace: `dais-test-port-spec-${randomBytes(6).toString('hex')}` };
  }

  async function takerScript(): Promise<string> {
    const dir = await tempDir('ports-spec');
    cleanups.push(() => dir.remove());
    const script = join(dir.path, 'take-ports.mts');
    await writeFile(script, TAKER);
    return script;
  }

  function taker(script: string, pool: PortPool, count: number): Taker {
    const started = startTaker(script, pool, count);
    cleanups.push(() => started.kill());
    return started;
  }

  it('never hands out a port of the kernel ephemeral range, nor one npm start or the databases use', async () => {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
    const pool = testPortPool();
    expect(pool.to < low || pool.from > high).toBe(true);
    for (const taken of [2222, 3306, 5432, 6379, 7000, 8080]) expect(taken < pool.from || taken > pool.to).toBe(true);
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) expect(port >= pool.from && port <= pool.to).toBe(true);
  });

  it('gives processes taking ports at the same moment never the same one', async () => {
    const pool = privatePool(60);
    const script = await takerScript();
    const takers = [1, 2, 3, 4].map(() => taker(script, pool, 10));
    for (const started of takers) started.go();
    const mine = new PortAllocator(pool);
    const own = [await mine.take(), await mine.take()];
    const all = [...own, ...(await Promise.all(takers.map((started) => started.ports))).flat()];
    expect(all).toHaveLength(42);
    expect(new Set(all).size).toBe(42);
  }, 30_000);

  it('takes back the reservations of a process that died without releasing them', async () => {
    const pool = privatePool(40);
    const owner = taker(await takerScript(), pool, 3);
    owner.go();
    const [port] = (await owner.ports) as [number];
    const mine = new PortAllocator(pool);
    expect(await mine.reserve(port)).toBe(false);
    await owner.kill();
    expect(await mine.reserve(port)).toBe(true);
  }, 30_000);

  it('skips a port something listens on (TCP or UDP) without having reserved it', async () => {
    // Ports of the real pool that this process holds, so nothing else on the machine uses them meanwhile.
    for (const squat of [squatTcp, squatUdp]) {
      const port = await freePort();
      const allocator = new PortAllocator({ from: port, to: port, namespace: `dais-test-port-spec-${randomBytes(6).toString('hex')}` });
      const leave = await squat(port);
      await expect(allocator.take()).rejects.toThrow(`No free port left in ${port}–${port}`);
      await leave();
      expect(await allocator.take()).toBe(port);
    }
  });
});

/** Listens on 127.0.0.1:port over TCP, as a server that knows nothing of reservations would; returns how to stop. */
async function squatTcp(port: number): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** The same over UDP (a DNS server). */
async function squatUdp(port: number): Promise<() => Promise<void>> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return () => new Promise((resolve) => socket.close(resolve));
}
