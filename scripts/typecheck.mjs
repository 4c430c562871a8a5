// Type-checks every package including its tests (the build configs leave specs out).
import { execFileSync } from 'node:child_process';

const projects = [
  'libs/shared',
  'libs/nginx',
  'apps/orchestrator',
  'apps/router',
  'apps/manager',
  'apps/manager/web',
  'apps/shell',
  'test',
  'bench',
];
let failed = false;
for (const project of projects) {
  try {
    execFileSync('npx', ['tsc', '-p', project], { stdio: 'inherit' });
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
