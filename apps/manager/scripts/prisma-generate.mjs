// Generates the Prisma client only when schema.prisma (or the Prisma version) changed since the
// last run, so builds stay quiet and fast, and parallel builds do not rewrite files under each other.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(appDir, 'src/generated/prisma/.schema-hash');
const prismaVersion = createRequire(import.meta.url)('prisma/package.json').version;
const hash = createHash('sha256')
  .update(readFileSync(join(appDir, 'prisma/schema.prisma')))
  .update(prismaVersion)
  .digest('hex');
if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) process.exit(0);

execFileSync('npx', ['prisma', 'generate', '--no-hints'], {
  cwd: appDir,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_SCHEMA_ENGINE_BINARY: join(appDir, 'scripts/no-schema-engine.sh') },
});
writeFileSync(marker, hash);
console.log('generated the Prisma client');
