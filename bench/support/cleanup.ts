import { rm } from 'node:fs/promises';

/**
 * Cleanup a benchmark must run whatever happens: after a normal run, after a thrown error (call
 * {@link runCleanups} in `finally`) and on Ctrl-C / SIGTERM, so no nginx, container or temp folder
 * outlives the run.
 */
const cleanups: (() => Promise<void>)[] = [];
let signalsHooked = false;
let signalled = false;

/**
 * True once Ctrl-C / SIGTERM started the cleanup: work still running will fail on what was torn
 * down, and the signal handler, not that failure, ends the process.
 */
export function interrupted(): boolean {
  return signalled;
}

/** Registers a cleanup (run last-registered first); returns a function that runs and unregisters it. */
export function onCleanup(cleanup: () => Promise<void>): () => Promise<void> {
  hookSignals();
  cleanups.push(cleanup);
  return async () => {
    const index = cleanups.indexOf(cleanup);
    if (index === -1) return;
    cleanups.splice(index, 1);
    await cleanup();
  };
}

/** Runs every registered cleanup, newest first; a failing one is reported and the others still run. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    await cleanup?.().catch((error: unknown) => {
      console.error('cleanup failed:', error);
    });
  }
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      signalled = true;
      console.error(`\n${signal}: cleaning up…`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}

/**
 * Removes a folder, retrying while work interrupted by a signal is still writing into it
 * (a plain recursive rm then fails with ENOTEMPTY).
 */
export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
