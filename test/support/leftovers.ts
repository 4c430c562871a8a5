import { readdir, readFile, rm } from 'node:fs/promises';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import pg from 'pg';
import { devEnv } from './dev-env';

/** What one run made and where: its id (in names) and its temp folder (TMPDIR of every process it started). */
export interface RunScope {
  runId: string;
  runDir: string;
}

/**
 * Everything of this run still running or on disk when the suite ends: processes that carry the
 * run's id in their environment (components, nginx masters, browsers; they inherit it), entries in the
 * run's temp folder, Docker objects labelled with one of the run's prefixes, PostgreSQL databases and
 * Redis keys named with the run's id. Another run's objects carry another id and are never counted.
 */
export async function findLeftovers(scope: RunScope): Promise<string[]> {
  const found = await Promise.all([processes(scope), files(scope), dockerObjects(scope), databases(scope), redisKeys(scope)]);
  return found.flat();
}

/**
 * Removes this run's temp folder, after its contents were reported. Processes are only reported, never
 * ended here: a process can inherit the run's environment without being the run's (a Docker engine a
 * test restarted, before docker-engine.ts started it with the machine's environment).
 */
export async function removeRunDir(scope: RunScope): Promise<void> {
  await rm(scope.runDir, { recursive: true, force: true });
}

/** Pids whose environment names this run, but not this process nor its ancestors (npm, the test script). */
async function processIds(scope: RunScope): Promise<number[]> {
  const marker = `DAIS_TEST_RUN_ID=${scope.runId}\0`;
  const own = await ancestry(process.pid);
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const ours = await Promise.all(
    pids.map(async (pid) => {
      if (own.has(pid)) return null;
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
      return `${environ}\0`.includes(marker) ? pid : null;
    }),
  );
  return ours.filter((pid): pid is number => pid !== null);
}

async function processes(scope: RunScope): Promise<string[]> {
  const pids = await processIds(scope);
  return Promise.all(
    pids.map(async (pid) => {
      const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
      return `process ${pid}: ${command.slice(0, 200)}`;
    }),
  );
}

/** This process and every process above it. */
async function ancestry(pid: number): Promise<Set<number>> {
  const chain = new Set<number>();
  for (let current = pid; current > 1 && !chain.has(current);) {
    chain.add(current);
    const status = await readFile(`/proc/${current}/status`, 'utf8').catch(() => '');
    current = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return chain;
}

async function files(scope: RunScope): Promise<string[]> {
  const entries = await readdir(scope.runDir).catch(() => []);
  // tsx keeps its compile cache in TMPDIR (`tsx-<uid>`) for the processes tests run through it: a cache
  // that goes with the run folder, not something a test forgot.
  return entries.filter((entry) => !/^tsx-\d+$/.test(entry)).map((entry) => `file ${scope.runDir}/${entry}`);
}

async function dockerObjects(scope: RunScope): Promise<string[]> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const label = 'dais.managed-by';
  const ours = (labels: Record<string, string> | null | undefined) => (labels?.[label] ?? '').startsWith(`t${scope.runId}`);
  const filters = { label: [label] };
  const found: string[] = [];
  for (const container of await docker.listContainers({ all: true, filters }))
    if (ours(container.Labels)) found.push(`container ${container.Names.join(',')} (${container.State})`);
  for (const volume of (await docker.listVolumes({ filters })).Volumes) if (ours(volume.Labels)) found.push(`volume ${volume.Name}`);
  for (const network of await docker.listNetworks({ filters })) if (ours(network.Labels)) found.push(`network ${network.Name}`);
  const services = await docker.listServices({ filters }).catch(() => []); // not a swarm manager: no services
  for (const service of services) if (ours(service.Spec?.Labels)) found.push(`service ${service.Spec?.Name ?? service.ID}`);
  return found;
}

async function databases(scope: RunScope): Promise<string[]> {
  const client = new pg.Client({ connectionString: devEnv().databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where strpos(datname, $1) > 0', [
      scope.runId,
    ]);
    return rows.map((row) => `database ${row.datname}`);
  } finally {
    await client.end();
  }
}

async function redisKeys(scope: RunScope): Promise<string[]> {
  const redis = new Redis(devEnv().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `*${scope.runId}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
    const sample = [...keys].slice(0, 10);
    return keys.size === 0 ? [] : [`redis keys: ${keys.size} (${sample.join(', ')}${keys.size > sample.length ? ', …' : ''})`];
  } finally {
    redis.disconnect();
  }
}
