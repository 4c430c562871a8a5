import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './support/dev-env';

/**
 * Integration tests run the built components (`dist/`); an incremental build first means they
 * never test stale code. Takes about two seconds when nothing changed.
 */
export default function setup(): void {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
