import { execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import Docker from 'dockerode';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

async function engineAnswers(): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the Docker engine (SIGTERM, as a service manager would) and starts it again the way
 * `npm run setup` does. Every container on this machine goes through the restart.
 */
export async function restartDockerEngine(): Promise<void> {
  execFileSync('pkill', ['-TERM', '-x', 'dockerd']);
  for (let i = 0; i < 300 && (await engineAnswers()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('pgrep', ['-x', 'dockerd']);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } catch {
      break; // no dockerd left
    }
  }
  const log = openSync('/var/log/dockerd.log', 'a');
  // The engine is the machine's, not this test run's: it gets none of the run's settings (its TMPDIR,
  // which the run removes at its end; DAIS_TEST_RUN_ID, by which the end-of-run check finds what the run left).
  spawn('dockerd', [], { cwd: '/', detached: true, stdio: ['ignore', log, log], env: machineEnvironment() }).unref();
  for (let i = 0; i < 600 && !(await engineAnswers()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!(await engineAnswers())) throw new Error('the Docker engine did not come back within 60 s (see /var/log/dockerd.log)');
}

/** This process's environment without what the test run added (DAIS_*, TMPDIR). */
function machineEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DAIS_') && name !== 'TMPDIR'));
}
