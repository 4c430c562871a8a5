// Builds the dashboard (apps/manager/web) with Vite, unless its output is newer than every input:
// `npm run build` runs before each test run, and an unchanged dashboard should cost nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = 'apps/manager/web';
const output = join(web, 'dist', 'index.html');
// The dashboard also bundles libs/shared's rules and contracts, so their changes count too.
const inputs = [
  join(web, 'src'),
  join(web, 'index.html'),
  join(web, 'vite.config.ts'),
  join(web, 'package.json'),
  'libs/shared/src',
  'package-lock.json',
];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

const force = process.argv.includes('--force');
if (!force && existsSync(output) && statSync(output).mtimeMs >= Math.max(...inputs.map(newestChange))) process.exit(0);
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
