// With 1,000 Socket.IO clients watching one site, how long after a step of an operation changes
// does every client hear of it? Target: p99 ≤ 50 ms.
// Usage: npm run bench:socket -- [clients] [operations] [separate] [light]
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { SOCKET_EVENTS, type OperationView } from '@dais/shared';
import { TestStack } from '../test/support/stack';
import { describeConditions } from './conditions';
import { FanoutRecorder, wallClock, type FanoutSummary } from './support/fanout-recorder';
import { LightSocketClient } from './support/light-socket-client';
import { cpuMs, openFilesLimit, requirePid, rssMb } from './support/process-stats';

const CLIENTS = Number(process.argv[2] ?? 1000);
const OPERATIONS = Number(process.argv[3] ?? 10);
/** `separate`: the worker runs in its own process (DAIS_MANAGER_ROLE=worker), as a larger install would. */
const SEPARATE_WORKER = process.argv.slice(4).includes('separate');
/**
 * `light`: clients that stamp each message's arrival and decode identical messages once (see
 * LightSocketClient), instead of socket.io-client decoding every copy — so that the measurement is
 * not slowed by the measuring clients themselves, which share this machine's two cores.
 */
const LIGHT_CLIENTS = process.argv.slice(4).includes('light');
/** Clients connecting at once: a browser fleet reconnecting after a deploy, not one at a time. */
const CONNECT_BATCH = 50;

function cpuCount(): number {
  return cpus().length;
}

/** The q-quantile of a sample (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

function distribution(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  return `p50 ${ms(quantile(sorted, 0.5))}, p90 ${ms(quantile(sorted, 0.9))}, p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? NaN)} (n=${sorted.length})`;
}

/** Connects one client with the admin's token and subscribes it to the site. */
async function connectClient(url: string, token: string, siteId: number, recorder: FanoutRecorder): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
  socket.on(SOCKET_EVENTS.operationUpdated, (view: OperationView) => {
    recorder.received(view, wallClock());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = (await socket.timeout(30_000).emitWithAck(SOCKET_EVENTS.subscribeSite, { siteId })) as { ok: boolean };
  if (!ack.ok) throw new Error(`site:subscribe answered ${JSON.stringify(ack)}`);
  return socket;
}

/**
 * Connects one light client. Receipts are stamped on arrival and queued; the queue is decoded
 * every 20 ms, each distinct message text once.
 */
async function connectLightClient(url: string, token: string, siteId: number, inbox: LightInbox): Promise<LightSocketClient> {
  const client = await LightSocketClient.connect(url, { token }, (raw, at) => inbox.pending.push({ raw, at }));
  const ack = (await client.emitWithAck(SOCKET_EVENTS.subscribeSite, { siteId })) as { ok: boolean };
  if (!ack.ok) throw new Error(`site:subscribe answered ${JSON.stringify(ack)}`);
  return client;
}

/** Light clients' receipts waiting to be decoded and recorded. */
class LightInbox {
  readonly pending: { raw: string; at: number }[] = [];
  private readonly decoded = new Map<string, [string, OperationView]>();
  private readonly timer: NodeJS.Timeout;

  constructor(recorder: FanoutRecorder) {
    this.timer = setInterval(() => {
      for (const { raw, at } of this.pending.splice(0)) {
        let event = this.decoded.get(raw);
        if (!event) this.decoded.set(raw, (event = JSON.parse(raw) as [string, OperationView]));
        if (event[0] === SOCKET_EVENTS.operationUpdated) recorder.received(event[1], at);
      }
    }, 20);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Listens on the manager's event channel, as the manager's own API process does. */
async function listenToBus(stack: TestStack, recorder: FanoutRecorder): Promise<Redis> {
  const redis = new Redis(stack.env.REDIS_URL ?? '');
  redis.on('message', (_channel: string, message: string) => {
    const at = wallClock();
    const event = JSON.parse(message) as { type: string; operation?: OperationView };
    if (event.type === 'operation.updated' && event.operation) recorder.published(event.operation, at);
  });
  await redis.subscribe(`${stack.env.DAIS_QUEUE_PREFIX ?? ''}:events`);
  return redis;
}

/** Runs repair operations one after another, each until every client has seen it end. */
async function runOperations(stack: TestStack, siteId: number, recorder: FanoutRecorder): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < OPERATIONS; i++) {
    const started = wallClock();
    const answer = await stack.api<OperationView>('POST', `/api/sites/${siteId}/repair`);
    if (answer.status !== 202) throw new Error(`repair answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    const seenByAll = recorder.watch(answer.json.id, CLIENTS);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`operation ${answer.json.id} did not reach every client within 60 s`)), 60_000).unref(),
    );
    await Promise.race([seenByAll, timeout]);
    durations.push(wallClock() - started);
    const ended = await stack.waitForOperation<OperationView>(answer.json.id);
    if (ended.state !== 'succeeded') throw new Error(`operation ${ended.id} ${ended.state}: ${ended.error ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // Let the site:updated that follows settle.
  }
  return durations;
}

function report(summary: FanoutSummary, facts: Record<string, string>): void {
  console.log(`benchmark: Socket.IO fan-out of operation:updated to ${CLIENTS} clients`);
  console.log(describeConditions());
  for (const [name, value] of Object.entries(facts)) console.log(`${`${name}:`.padEnd(10)}${value}`);
  console.log(
    `events:   ${summary.events} (per operation: ${[...new Set(summary.eventsPerOperation)].join(', ')}), not seen by every client: ${summary.incomplete}`,
  );
  console.log(`state change → client (target p99 ≤ 50 ms): ${distribution(summary.sinceChange)}`);
  console.log(`  of which state change → on the Redis channel (worker):  ${distribution(summary.changeToPublish)}`);
  console.log(`  of which Redis channel → client (API process + client): ${distribution(summary.sincePublish)}`);
  console.log(`spread first → last client per event: ${distribution(summary.spread)}`);
}

async function main(): Promise<void> {
  const stack = await TestStack.start('bench-socket', { separateWorker: SEPARATE_WORKER, env: { DAIS_LOG_LEVEL: 'error' } });
  const sockets: { disconnect(): void }[] = [];
  const recorder = new FanoutRecorder();
  const inbox = new LightInbox(recorder);
  let bus: Redis | undefined;
  try {
    const site = await stack.createSite('fanout');
    await stack.waitForOperation(site.operation?.id ?? 0, (o) => o.state === 'succeeded');
    const manager = requirePid(stack.pidOf(SEPARATE_WORKER ? 'manager-api' : 'manager'), 'manager');
    const rssIdle = rssMb(manager);
    bus = await listenToBus(stack, recorder);
    const url = `http://127.0.0.1:${stack.ports.manager}`;
    const connectStarted = wallClock();
    for (let i = 0; i < CLIENTS; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - i) }, async () => {
        if (!LIGHT_CLIENTS) return connectClient(url, stack.adminToken, site.id, recorder);
        const client = await connectLightClient(url, stack.adminToken, site.id, inbox);
        return { disconnect: () => client.close() };
      });
      sockets.push(...(await Promise.all(batch)));
    }
    const connectMs = wallClock() - connectStarted;
    const rssConnected = rssMb(manager);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpuBefore = { api: cpuMs(manager), clients: process.cpuUsage() };
    const durations = await runOperations(stack, site.id, recorder);
    const cpu = { api: cpuMs(manager) - cpuBefore.api, clients: process.cpuUsage(cpuBefore.clients) };
    loop.disable();
    const summary = recorder.summarize(CLIENTS);
    const perEvent = (ms: number) => `${(ms / summary.events).toFixed(1)} ms`;
    report(summary, {
      clients: `${CLIENTS} ${LIGHT_CLIENTS ? 'light clients (raw Socket.IO protocol over ws, receipts stamped on arrival, decoded later)' : 'socket.io-client 4.8'} (websocket transport, admin token) in this process, ${CONNECT_BATCH} connecting at once; open-files limit ${openFilesLimit()}`,
      connect: `${(connectMs / 1000).toFixed(2)} s for all ${CLIENTS} to connect, authenticate and subscribe (${(connectMs / CLIENTS).toFixed(1)} ms each)`,
      load: `${OPERATIONS} × POST /api/sites/:id/repair (static site), one after another; repair → every client saw it end: ${distribution(durations)}`,
      manager: `${SEPARATE_WORKER ? 'API process (worker in its own)' : 'one process (API + worker)'}; RSS ${rssIdle.toFixed(0)} MB idle, ${rssConnected.toFixed(0)} MB with ${CLIENTS} clients, ${rssMb(manager).toFixed(0)} MB after the operations`,
      clock: 'one machine, one wall clock: receipts in this process vs the worker’s step timestamps (ms)',
      cpu: `per event fanned out, while operations ran: manager ${perEvent(cpu.api)} (all of its work: steps, queries, sending to ${CLIENTS} sockets), clients' process ${perEvent((cpu.clients.user + cpu.clients.system) / 1000)}; ${cpuCount()} CPUs shared by both, PostgreSQL, Redis and the other services`,
      loop: `event-loop delay of the clients' process during the operations: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
    });
  } finally {
    inbox.stop();
    for (const socket of sockets) socket.disconnect();
    await bus?.quit();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
