// How long do `dais-admin backup` and `restore` take for N sites, each with files and a database,
// and how large is the archive? One stack is filled, backed up, and restored onto a second, empty
// one. Usage: npm run bench:backup -- [sites] [files per site] [rows per database]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import { REPO_ROOT } from '../test/support/dev-env';
import { TestStack } from '../test/support/stack';
import { tempDir } from '../test/support/temp-dir';
import { verifyArchive } from '../apps/manager/src/features/backup/archive-reader';
import { describeConditions } from './conditions';

const SITES = Number(process.argv[2] ?? 100);
const FILES = Number(process.argv[3] ?? 20);
const ROWS = Number(process.argv[4] ?? 1000);
const PHOTO_BYTES = 100 * 1024;
const run = promisify(execFile);

async function admin(stack: TestStack, ...args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], {
    env: { ...process.env, ...stack.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Site i: FILES files of 1–64 KiB (text-like, so gzip has something to do) and a table of ROWS rows. */
async function fill(stack: TestStack, index: number): Promise<void> {
  const name = `bench${index}`;
  const created = await stack.api<SiteView>('POST', '/api/sites', { name });
  await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0, undefined, 120_000);
  const engine = index % 4 === 3 ? 'mysql' : 'postgresql';
  const database = await stack.api<OperationView>('POST', `/api/sites/${created.json.id}/database`, { engine });
  await stack.waitForOperation<OperationView>(database.json.id, undefined, 120_000);
  const dir = join(stack.stateDir, 'orchestrator/data/sites', String(created.json.id), 'public/assets');
  await mkdir(dir, { recursive: true });
  for (let file = 0; file < FILES; file++) {
    const size = 1024 * (1 + ((index * 31 + file * 17) % 64));
    await writeFile(join(dir, `file-${file}.txt`), `site ${index} file ${file} `.repeat(Math.ceil(size / 20)).slice(0, size));
  }
  // Two photos per site: incompressible, as images are, so the archive size is not flattered by gzip.
  for (const photo of [0, 1]) await writeFile(join(dir, `photo-${photo}.jpg`), randomBytes(PHOTO_BYTES));
  const sql = (statement: string) => stack.api('POST', `/api/sites/${created.json.id}/database/query`, { sql: statement });
  await sql('CREATE TABLE items (id int PRIMARY KEY, body varchar(200))');
  const generate =
    engine === 'postgresql'
      ? `INSERT INTO items SELECT g, 'item ' || g || ' of site ${index}' FROM generate_series(1, ${ROWS}) AS g`
      : `INSERT INTO items WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS}) SELECT n, CONCAT('item ', n, ' of site ${index}') FROM s`;
  await sql(generate);
}

async function main(): Promise<void> {
  console.log(describeConditions());
  console.log(
    `sites: ${SITES} static (three in four with a PostgreSQL database, one in four MariaDB), ${FILES} text files of 1-64 KiB + 2 random 100 KiB files and ${ROWS} rows each\n`,
  );
  const work = await tempDir('bench-backup');
  const source = await TestStack.start('bench-backup-a', { env: { DAIS_LOG_LEVEL: 'error' } });
  const target = await TestStack.start('bench-backup-b', { env: { DAIS_LOG_LEVEL: 'error' } });
  try {
    const filling = Date.now();
    for (let index = 0; index < SITES; index++) await fill(source, index);
    console.log(`filled ${SITES} sites in ${((Date.now() - filling) / 1000).toFixed(0)} s`);
    const file = join(work.path, 'backup.tar.gz');
    const backupSeconds = await admin(source, 'backup', '--file', file);
    const size = (await stat(file)).size;
    const verifying = process.hrtime.bigint();
    const manifest = await verifyArchive(file);
    const verifySeconds = Number(process.hrtime.bigint() - verifying) / 1e9;
    const raw = manifest.entries.reduce((sum, entry) => sum + (entry.type === 'file' ? entry.size : 0), 0);
    const dumps = manifest.entries.filter((entry) => entry.path.endsWith('database.sql')).length;
    console.log(
      `backup:  ${backupSeconds.toFixed(1)} s, archive ${(size / 2 ** 20).toFixed(1)} MiB (${(raw / 2 ** 20).toFixed(1)} MiB before gzip, ${manifest.entries.length} entries, ${dumps} database dumps)`,
    );
    console.log(`check:   ${verifySeconds.toFixed(1)} s to read and check the whole archive (the first step of a restore)`);
    const restoreSeconds = await admin(target, 'restore', '--file', file);
    console.log(
      `restore: ${restoreSeconds.toFixed(1)} s (check, load, ${SITES} repairs, files and databases back, dynamic sites restarted)`,
    );
  } finally {
    await source.stop();
    await target.stop();
    await work.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
