// What does remembering nonces where every process (and the next start) sees them cost per signed
// request? Verifies REQUESTS distinct signed requests (a 200-byte JSON body, Ed25519, the manager
// calling an orchestrator) with the real RequestVerifier over each nonce store: in memory (what
// every receiver had before, the floor), the manager's Redis store (SET NX PX against the Redis
// setup installed) and the orchestrator's and router's file store (write + fdatasync per batch).
// One at a time gives the latency each request pays; CONCURRENCY in flight shows the file store's
// shared writes. Usage: npm run bench:replay -- [requests] [concurrency]
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { FileNonceStore, MemoryNonceStore, RequestVerifier, signRequest, type IncomingSignedRequest, type NonceStore } from '@dais/shared';
// The built manager (npm run bench:replay builds first): its Nest classes need decorator metadata tsx does not emit.
import type { ManagerConfig } from '../apps/manager/dist/config/manager.config';
import { RedisConnections } from '../apps/manager/dist/infrastructure/redis/redis.connections';
import { RedisNonceStore } from '../apps/manager/dist/infrastructure/signing/redis-nonce-store';
import { devEnv } from '../test/support/dev-env';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions } from './conditions';
import { onCleanup, runCleanups } from './support/cleanup';

const REQUESTS = Number(process.argv[2] ?? 5_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const manager = generateKeyPairSync('ed25519');
const body = JSON.stringify({ id: 42, name: 'bench', hostnames: ['bench.dais.localhost'], padding: 'x'.repeat(120) });

function signedRequests(count: number): IncomingSignedRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const path = `/v1/sites/${i}`;
    const headers = signRequest(
      { callerId: 'manager', privateKey: manager.privateKey },
      { audience: 'orchestrator', method: 'PUT', path, body },
    );
    return { method: 'PUT', path, headers, body };
  });
}

function verifierOver(nonces: NonceStore): RequestVerifier {
  return new RequestVerifier({
    selfId: 'orchestrator',
    callers: [{ id: 'manager', publicKey: manager.publicKey, allowedRoutes: [{ prefix: '/' }] }],
    nonces,
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** One request at a time: the latency each pays. Then CONCURRENCY in flight: requests per second. */
async function measure(name: string, nonces: NonceStore): Promise<string> {
  const verifier = verifierOver(nonces);
  for (const request of signedRequests(200)) await verifier.verify(request); // warm-up
  const latencies: number[] = [];
  for (const request of signedRequests(REQUESTS)) {
    const started = process.hrtime.bigint();
    await verifier.verify(request);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e3);
  }
  latencies.sort((a, b) => a - b);
  const queue = signedRequests(REQUESTS);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let request = queue.pop(); request; request = queue.pop()) await verifier.verify(request);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const row = [
    name.padEnd(22),
    `${percentile(latencies, 0.5).toFixed(0)} µs`.padStart(9),
    `${percentile(latencies, 0.99).toFixed(0)} µs`.padStart(9),
    `${Math.round(REQUESTS / seconds)}/s`.padStart(9),
  ];
  return row.join(' | ');
}

async function main(): Promise<void> {
  console.log(describeConditions());
  console.log(`requests: ${REQUESTS} per store, concurrency ${CONCURRENCY} for the throughput column\n`);
  const prefix = `bench-nonce-${randomBytes(3).toString('hex')}`;
  const redis = new RedisConnections({ redisUrl: devEnv().redisUrl, queue: { prefix } } as ManagerConfig);
  onCleanup(async () => {
    const cleaner = new Redis(devEnv().redisUrl);
    const keys = await cleaner.keys(`${prefix}:*`);
    if (keys.length > 0) await cleaner.del(...keys);
    await cleaner.quit();
    await redis.onModuleDestroy();
  });
  const dir = await tempDir('bench-nonces');
  onCleanup(() => dir.remove());
  const file = new FileNonceStore({ file: `${dir.path}/state/nonces.log` });
  await file.open();
  onCleanup(() => file.close());

  console.log(`${'store'.padEnd(22)} |   p50     |   p99     | in flight`);
  console.log(await measure('memory (one process)', new MemoryNonceStore()));
  console.log(await measure('Redis (manager)', new RedisNonceStore(redis)));
  console.log(await measure('file (orch./router)', file));
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
