import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/dev-env';
import { findLeftovers, removeRunDir, type RunScope } from './support/leftovers';
import { newRunId, RUN_ID_VARIABLE } from './support/run-scope';

/**
 * Integration tests run the built components (`dist/`); an incremental build first means they
 * never test stale code. Takes about two seconds when nothing changed.
 *
 * The run gets an id and a temp folder of its own (TMPDIR, inherited by every worker, component,
 * nginx and browser it starts); at the end, anything of the run still running or on disk fails it.
 */
export default function setup(): () => Promise<void> {
  // Every integration project names this file; in one Vitest process the first one sets the run up and
  // checks it at the end, the others join it.
  if (process.env[SCOPE_OWNER_VARIABLE] === String(process.pid)) return () => Promise.resolve();
  process.env[SCOPE_OWNER_VARIABLE] = String(process.pid);
  const scope = enterRunScope();
  // DAIS_TEST_SKIP_BUILD=1 when something else just built (several people testing in one checkout).
  if (process.env.DAIS_TEST_SKIP_BUILD !== '1') execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return async () => {
    const leftovers = await findLeftovers(scope);
    await removeRunDir(scope);
    if (leftovers.length === 0) return;
    // Vitest reports an error thrown here but does not fail the run for it: the exit code does.
    process.exitCode = 1;
    throw new Error(
      `The suite left these behind (its temp folder is now removed; stop the rest and fix the test that made them):\n  ${leftovers.join('\n  ')}`,
    );
  };
}

/** The pid of the Vitest process whose global setup entered the run scope. */
const SCOPE_OWNER_VARIABLE = 'DAIS_TEST_SCOPE_OWNER';

/** This run's id and temp folder; a caller (scripts/test.sh, running several vitest at once) may choose the id. */
function enterRunScope(): RunScope {
  const runId = process.env[RUN_ID_VARIABLE] ?? newRunId();
  const runDir = join(process.env.DAIS_TEST_TMPDIR_PARENT ?? tmpdir(), `dais-run-${runId}`);
  mkdirSync(runDir, { recursive: true, mode: 0o755 });
  process.env[RUN_ID_VARIABLE] = runId;
  process.env.DAIS_TEST_TMPDIR_PARENT ??= tmpdir();
  process.env.TMPDIR = runDir;
  return { runId, runDir };
}
