// An admin's upgrade and rollback, for real: a compose project started on the images of an older
// commit (`--from <tag>`, built earlier by `npm run images` at that commit), with a static site and
// a dynamic site with a PostgreSQL database; then `DAIS_IMAGE_TAG=latest` + `docker-compose up -d`
// with this commit's compose file while both sites are requested every 100 ms; then back to the
// older tag and that commit's compose file, as an admin rolls back (docs/deployment.md,
// "Upgrades and rollback"). Prints the time to /ready, the requests that failed or were slow during
// each switch, what the manager's migration tool says, and whether the data came through.
// Usage: npm run bench:compose-upgrade -- --from <tag> [--ports-80-443]   (docker images dais/manager lists the tags)
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComposeProject } from '../test/compose/compose-project';
import { REPO_ROOT } from '../test/support/dev-env';
import { eventually, getWithHost } from '../test/support/http';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions } from './conditions';
import { onCleanup, runCleanups } from './support/cleanup';

const DOMAIN = 'upgrade.test';
/** --ports-80-443: the router binds the host's ports 80 and 443, as in production (they must be free). */
const PRODUCTION_PORTS = process.argv.includes('--ports-80-443');
let httpPort = 0;
const SLOW_MS = 1_000;

function option(name: string): string {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (!value) throw new Error(`usage: npm run bench:compose-upgrade -- ${name} <image tag>`);
  return value;
}

/** Requests each site every 100 ms until stopped: how many answers were not 200, and the slowest. */
function watch(project: ComposeProject, sites: string[]) {
  let failed = 0;
  let total = 0;
  let slowest = 0;
  const failures: string[] = [];
  const stopped = new AbortController();
  const loops = sites.map(async (site) => {
    while (!stopped.signal.aborted) {
      const started = performance.now();
      const page = await getWithHost(httpPort, `${site}.${DOMAIN}`).catch((error: unknown) => ({
        status: 0,
        body: String(error),
      }));
      const ms = performance.now() - started;
      total += 1;
      slowest = Math.max(slowest, ms);
      if (page.status !== 200) {
        failed += 1;
        if (failures.length < 5) failures.push(`${site}: ${page.status} ${page.body.slice(0, 80)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return async () => {
    stopped.abort();
    await Promise.all(loops);
    return { failed, total, slowest, failures };
  };
}

async function switchTo(project: ComposeProject, tag: string, composeFile: string, sites: string[]): Promise<void> {
  const stop = watch(project, sites);
  const started = performance.now();
  project.composeFile = composeFile;
  await project.configure({ DAIS_IMAGE_TAG: tag });
  const recreated = await project.compose('up', '-d');
  await project.ready(240_000, 100);
  const readyMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const seen = await stop();
  console.log(`→ ${tag}: up -d → /ready ${(readyMs / 1000).toFixed(1)} s`);
  const names = new Set([...recreated.matchAll(/Recreating \S+?_(\S+?)_1/g)].map((match) => match[1]));
  console.log(`  recreated: ${[...names].sort().join(', ') || 'nothing'}`);
  console.log(
    `  requests meanwhile: ${seen.total}, failed ${seen.failed}, slowest ${seen.slowest.toFixed(0)} ms${seen.slowest > SLOW_MS ? ' (slow)' : ''}`,
  );
  for (const failure of seen.failures) console.log(`    ${failure}`);
  const applied = await project.compose(
    'exec',
    '-T',
    '-u',
    'postgres',
    'postgres',
    'psql',
    '-h',
    '/run/postgresql',
    '-d',
    'dais',
    '-Atc',
    "SELECT count(*) || ' applied, the newest ' || max(migration_name) FROM _prisma_migrations WHERE finished_at IS NOT NULL",
  );
  console.log(`  migrations: ${applied.trim()}`);
}

async function main(): Promise<void> {
  const from = option('--from');
  console.log(describeConditions());
  console.log(
    `from images: ${from}, to: latest (${execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim()})\n`,
  );
  const dir = await tempDir('bench-upgrade');
  onCleanup(() => dir.remove());
  const project = await ComposeProject.create(dir.path, DOMAIN);
  onCleanup(() => project.remove());
  // The older commit's compose file with its images, as an admin had it before `git pull`.
  const oldComposeFile = join(dir.path, 'docker-compose.old.yml');
  const commit = execFileSync(
    'docker',
    ['image', 'inspect', `dais/manager:${from}`, '--format', '{{index .Config.Labels "org.opencontainers.image.revision"}}'],
    {
      encoding: 'utf8',
    },
  ).trim();
  await writeFile(oldComposeFile, execFileSync('git', ['show', `${commit}:docker-compose.yml`], { cwd: REPO_ROOT, encoding: 'utf8' }));
  const newComposeFile = project.composeFile;
  project.composeFile = oldComposeFile;
  httpPort = PRODUCTION_PORTS ? 80 : project.ports.routerHttp;
  await project.configure({
    DAIS_IMAGE_TAG: from,
    ...(PRODUCTION_PORTS ? { DAIS_ROUTER_HTTP_PORT: 80, DAIS_ROUTER_HTTPS_PORT: 443, DAIS_SITES_PUBLIC_PORT: 80 } : {}),
  });
  await project.compose('up', '-d');
  await project.ready(240_000, 100);
  const token = await project.adminToken();
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${project.ports.manager}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as { id: number; operation?: { id: number }; state?: string };
  };
  const finished = (id: number) =>
    eventually(
      () => api('GET', `/api/operations/${id}`),
      (operation) => operation.state === 'succeeded' || operation.state === 'failed',
      120_000,
      250,
    );
  const blog = await api('POST', '/api/sites', { name: 'blog' });
  const hello = await api('POST', '/api/sites', { name: 'hello', type: 'dynamic', image: 'busybox' });
  await finished(blog.operation?.id ?? 0);
  await finished(hello.operation?.id ?? 0);
  await finished((await api('POST', `/api/sites/${hello.id}/database`, { engine: 'postgresql' })).id);
  const sql = (query: string) => {
    const url = execFileSync('docker', ['exec', `${project.name}-site-${hello.id}`, 'sh', '-c', 'printf %s "$DATABASE_URL"'], {
      encoding: 'utf8',
    });
    const psql = ['run', '--rm', '--network', `${project.name}-sites`, '--entrypoint', 'psql', 'dais/postgres:latest'];
    return execFileSync('docker', [...psql, url, '-Atc', query], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop();
  };
  sql('CREATE TABLE visits (n int); INSERT INTO visits VALUES (42)');
  const sites = ['blog', 'hello'];
  await eventually(
    () => Promise.all(sites.map((site) => getWithHost(httpPort, `${site}.${DOMAIN}`).catch(() => ({ status: 0 })))),
    (pages) => pages.every((page) => page.status === 200),
    60_000,
    250,
  );
  console.log(`on ${from}: two sites served, a row in the dynamic site's database`);
  if (PRODUCTION_PORTS) {
    const listening = (port: number) => execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';
    console.log(`the router's nginx (uid 10002, file capability) listens on 80: ${listening(80)}, on 443: ${listening(443)}`);
  }
  console.log('');

  await switchTo(project, 'latest', newComposeFile, sites);
  console.log(`  the row after the upgrade: ${sql('SELECT n FROM visits')}`);
  const shop = await api('POST', '/api/sites', { name: 'shop' });
  console.log(`  a site created after the upgrade: ${(await finished(shop.operation?.id ?? 0)).state}\n`);

  await switchTo(project, from, oldComposeFile, [...sites, 'shop']);
  console.log(`  the row after the rollback: ${sql('SELECT n FROM visits')}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
