// What does sealing secrets cost a read of a site? Two sites in one stack hold the same 20 secret
// variables and a PostgreSQL database; one has them sealed (as the manager writes them), the other
// has the very same values marked `plain:` (as the migration leaves values from before sealing), so
// the only difference is the encryption. Measured in turns, in the same run:
//   GET /api/sites/:id           (opens nothing: names only)
//   GET /api/sites/:id/database  (opens the database password)
// and, in this process, the CPU time of one seal and one open. The sealed and plain cases run as
// pairs, back to back, in alternating order, and each pair gives a ratio of the manager's CPU time
// per request: drift on a shared machine cancels out of a pair.
// Usage: npm run bench:secrets -- [seconds per case] [connections] [rounds]
import autocannon, { type Result } from 'autocannon';
import type { OperationView, SiteView } from '@dais/shared';
import { SecretBox } from '../apps/manager/src/infrastructure/secrets/secret-box';
import { SealedSecret, siteSecretPlace } from '../apps/manager/src/infrastructure/secrets/sealed-secret';
import { TestStack } from '../test/support/stack';
import { describeConditions, summarize } from './conditions';
import { cpuMs, requirePid } from './support/process-stats';

const DURATION_S = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const ROUNDS = Number(process.argv[4] ?? 10);
const WARMUP_S = 1;
const SECRETS = 20;

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
}

/** A static site with a PostgreSQL database and SECRETS secret variables, all through the API. */
async function siteWithSecrets(stack: TestStack, name: string): Promise<SiteView> {
  const done = (id: number) => stack.waitForOperation<OperationView>(id, undefined, 60_000);
  const site = await stack.createSite(name);
  await done(site.operation?.id ?? 0);
  const secrets = Object.fromEntries(Array.from({ length: SECRETS }, (_, i) => [`SECRET_${i}`, `value-${i}-${'x'.repeat(40)}`]));
  const changed = await stack.api<SiteView>('PATCH', `/api/sites/${site.id}`, { secrets });
  await done(changed.json.operation?.id ?? 0);
  const database = await stack.api<OperationView>('POST', `/api/sites/${site.id}/database`, { engine: 'postgresql' });
  if ((await done(database.json.id)).state !== 'succeeded') throw new Error(`the database of ${name} was not created`);
  return site;
}

/** Gives the second site the first one's values in plain text (marked as the migration marks them). */
async function unsealCopy(stack: TestStack, sealed: SiteView, plain: SiteView): Promise<void> {
  const box = SecretBox.load(`${stack.stateDir}/secrets/secrets.key`);
  const secrets = Object.fromEntries(
    Array.from({ length: SECRETS }, (_, i) => [`SECRET_${i}`, `plain:value-${i}-${'x'.repeat(40)}`] as const),
  );
  await stack.database.query('UPDATE "Site" SET secrets = $2::jsonb WHERE id = $1', [plain.id, JSON.stringify(secrets)]);
  const [row] = await stack.database.query<{ password: string }>('SELECT password FROM "SiteDatabase" WHERE "siteId" = $1', [plain.id]);
  const password = box.open(new SealedSecret(row?.password ?? '', { column: 'SiteDatabase.password', rowId: plain.id }));
  await stack.database.query('UPDATE "SiteDatabase" SET password = $2 WHERE "siteId" = $1', [plain.id, `plain:${password}`]);
  const [check] = await stack.database.query<{ sealed: number }>(
    `SELECT count(*)::int AS sealed FROM "Site", jsonb_each_text(secrets) WHERE id = $1 AND value LIKE 's1:%'`,
    [sealed.id],
  );
  if (check?.sealed !== SECRETS) throw new Error(`site ${sealed.id} should hold ${SECRETS} sealed secrets, has ${check?.sealed}`);
}

async function measure(url: string, token: string, pid: number): Promise<Measured> {
  const headers = { authorization: `Bearer ${token}` };
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const before = cpuMs(pid);
  const result: Result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  const cpu = cpuMs(pid) - before;
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.requests.total === 0)
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  return {
    rate: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: cpu / result.requests.total,
  };
}

/** CPU microseconds per call (user + system: time on a core, not waiting for one), over enough calls to be measurable. */
function cpuPerCall(call: () => void, calls = 20_000): number {
  for (let i = 0; i < 1000; i++) call();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

/** Median and quartiles of the paired ratios sealed/plain of CPU per request, as percentages. */
function pairedCost(sealed: Measured[], plain: Measured[]): string {
  const ratios = sealed.map((m, i) => (m.cpuMsPerRequest / (plain[i]?.cpuMsPerRequest ?? NaN) - 1) * 100).sort((a, b) => a - b);
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))] ?? NaN;
  const pct = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
  return `${pct(summarize(ratios).median)} (quartiles ${pct(at(0.25))} … ${pct(at(0.75))}, ${ratios.length} pairs)`;
}

function line(label: string, runs: Measured[]): string {
  const rate = summarize(runs.map((m) => m.rate));
  const cpu = summarize(runs.map((m) => m.cpuMsPerRequest));
  return [
    label.padEnd(44),
    `${rate.median.toFixed(0)} req/s`.padStart(11),
    `(${rate.min.toFixed(0)}–${rate.max.toFixed(0)})`.padStart(12),
    `p50 ${summarize(runs.map((m) => m.p50)).median} ms`.padStart(11),
    `p99 ${summarize(runs.map((m) => m.p99)).median} ms`.padStart(11),
    `CPU ${cpu.median.toFixed(2)} ms/req`.padStart(18),
  ].join(' ');
}

async function main(): Promise<void> {
  const stack = await TestStack.start('bench-secrets', { env: { DAIS_LOG_LEVEL: 'error' } });
  try {
    const sealed = await siteWithSecrets(stack, 'sealed');
    const plain = await siteWithSecrets(stack, 'plain');
    await unsealCopy(stack, sealed, plain);
    const manager = requirePid(stack.pidOf('manager'), 'manager');
    const api = `http://127.0.0.1:${stack.ports.manager}/api/sites`;
    const cases = [
      { label: 'GET /api/sites/:id, sealed', url: `${api}/${sealed.id}` },
      { label: 'GET /api/sites/:id, same values in plain text', url: `${api}/${plain.id}` },
      { label: 'GET /api/sites/:id/database, sealed', url: `${api}/${sealed.id}/database` },
      { label: 'GET /api/sites/:id/database, plain text', url: `${api}/${plain.id}/database` },
    ];
    console.log(`benchmark: cost of sealed secrets on reads of a site (${SECRETS} secrets and a database per site)`);
    console.log(describeConditions());
    console.log(
      `load:     autocannon, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up then ${DURATION_S} s per case, ` +
        `${ROUNDS} rounds of sealed/plain pairs; medians (min–max of the rounds' rates)`,
    );
    const runs: Measured[][] = cases.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const pair of [
        [0, 1],
        [2, 3],
      ]) {
        // Alternate which of the pair goes first, so neither always follows the other.
        for (const index of round % 2 === 0 ? pair : [...pair].reverse()) {
          const target = cases[index];
          if (target) runs[index]?.push(await measure(target.url, stack.adminToken, manager));
        }
      }
    }
    for (const [index, target] of cases.entries()) console.log(line(target.label, runs[index] ?? []));
    console.log(`GET /api/sites/:id, sealed vs plain, manager CPU per request: ${pairedCost(runs[0] ?? [], runs[1] ?? [])}`);
    console.log(`GET /api/sites/:id/database, sealed vs plain, manager CPU per request: ${pairedCost(runs[2] ?? [], runs[3] ?? [])}`);
    const box = SecretBox.load(`${stack.stateDir}/secrets/secrets.key`);
    const place = siteSecretPlace(sealed.id, 'SECRET_0');
    const value = `value-0-${'x'.repeat(40)}`;
    const stored = box.seal(value, place);
    console.log(
      `in process: seal ${cpuPerCall(() => box.seal(value, place)).toFixed(1)} µs, ` +
        `open ${cpuPerCall(() => box.open(new SealedSecret(stored, place))).toFixed(1)} µs of CPU per ${value.length}-character secret`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
