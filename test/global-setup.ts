import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './support/dev-env';

/**
 * Integration tests run the built components (`dist/`); an incremental build first means they
 * never test stale code. Takes about two seconds when nothing changed.
 */
export default function setup(): void {
  // DAIS_TEST_SKIP_BUILD=1 when something else just built (several people testing in one checkout).
  if (process.env.DAIS_TEST_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
