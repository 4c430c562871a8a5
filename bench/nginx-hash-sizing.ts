// What hash sizing from the longest key costs: the orchestrator's config for N sites of the nginx
// benchmark's mix (optionally with some 253-character custom domains), with the buckets as
// `hashSizing` computes them and with nginx's fixed 128 bytes of before. Measures `nginx -t` (median
// of 5), whether nginx warns ("could not build optimal …") or refuses, and the PSS of a started nginx
// after 3 reloads. Usage: npm run bench:hash-sizing -- [sites] [253-character domains]
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NginxInstance } from '@dais/nginx';
import { renderSitesConfig } from '../apps/orchestrator/src/nginx/sites-config.render';
import { freePorts } from '../test/support/ports';
import { tempDir } from '../test/support/temp-dir';
import { mb, settledNginxMemory } from './support/nginx-memory';
import { endpointsOfMix, siteOfMix } from './support/site-mix';

const run = promisify(execFile);
const SITES = Number(process.argv[2] ?? 10_000);
const LONG_DOMAINS = Number(process.argv[3] ?? 0);

const longDomain = (index: number) =>
  `l${index}${'x'.repeat(62 - String(index).length)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

async function measure(label: string, fixedBucket: boolean): Promise<void> {
  const dir = await tempDir('hash-sizing');
  const [sitesPort, statusPort] = await freePorts(2);
  const sites = Array.from({ length: SITES }, (_, index) => {
    const site = siteOfMix(index + 1);
    return index < LONG_DOMAINS ? { ...site, hostnames: [...site.hostnames, longDomain(index)] } : site;
  });
  const files = renderSitesConfig({
    prefix: dir.path,
    generation: 1,
    statusPort: statusPort!,
    listen: { host: '127.0.0.1', port: sitesPort! },
    sitesRoot: dir.path,
    publicDirOf: (id) => join(dir.path, 'sites', String(id)),
    endpointsOf: endpointsOfMix,
    sites,
  });
  let conf = files['nginx.conf'] ?? '';
  if (fixedBucket) conf = conf.replace(/(map|server_names)_hash_bucket_size \d+;/g, '$1_hash_bucket_size 128;');
  const buckets = [...conf.matchAll(/(map|server_names)_hash_bucket_size (\d+);/g)].map((match) => `${match[1]} ${match[2]}`).join(', ');
  for (const folder of ['logs', 'temp', 'run']) await mkdir(join(dir.path, folder), { recursive: true });
  for (const [name, content] of Object.entries({ ...files, 'nginx.conf': conf })) await writeFile(join(dir.path, name), content);
  const confFile = join(dir.path, 'nginx.conf');
  const times: number[] = [];
  let output = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = process.hrtime.bigint();
    output = await run('nginx', ['-t', '-q', '-p', dir.path, '-e', 'stderr', '-c', confFile]).then(
      ({ stderr }) => stderr,
      (error: unknown) => `REFUSED ${String((error as { stderr?: string }).stderr ?? error)}`,
    );
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const verdict = output.startsWith('REFUSED')
    ? 'refused'
    : output.includes('could not build optimal')
      ? 'warns (unoptimised hash)'
      : 'clean';
  let memory = 'n/a';
  if (verdict !== 'refused') {
    const nginx = new NginxInstance({ prefix: dir.path, liveConfFile: confFile });
    await nginx.start();
    for (let reload = 0; reload < 3; reload++) {
      const old = await nginx.workerPids();
      await nginx.reload();
      await nginx.waitForRetirement(old, 30_000);
    }
    const pid = await nginx.runningPid();
    memory = pid === null ? 'n/a' : mb((await settledNginxMemory(pid)).pssBytes);
    await nginx.stop();
  }
  console.log(`${label}: ${buckets}; nginx -t median ${times[2]?.toFixed(0)} ms; ${verdict}; PSS after 3 reloads ${memory}`);
  await dir.remove();
}

async function main(): Promise<void> {
  console.log(`${SITES} sites of the benchmark mix, ${LONG_DOMAINS} of them with a 253-character custom domain`);
  await measure('computed buckets', false);
  await measure('fixed 128-byte buckets', true);
}

void main();
