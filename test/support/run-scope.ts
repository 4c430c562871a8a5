import { randomBytes } from 'node:crypto';

/**
 * One `vitest run` is a scope: everything the suite makes carries this run's id (in names, labels,
 * prefixes) or lives under this run's temp folder, so the check at the end (test/leftovers.ts) can
 * find what this run left behind without ever counting what another worktree's run is doing.
 */
export const RUN_ID_VARIABLE = 'DAIS_TEST_RUN_ID';

/** This run's id: set once by the global setup (test/global-setup.ts), inherited by workers and components. */
export function testRunId(): string {
  // Outside a run (a benchmark, a file run by hand) a process-scoped id still keeps names apart.
  return process.env[RUN_ID_VARIABLE] ?? `p${(process.pid % 0x10000).toString(16).padStart(4, '0')}`;
}

/**
 * A fresh id for a run: five lower-case letters and digits, safe in database, container and key names
 * (a stack's prefix below must fit DAIS_DATABASE_NAME_PREFIX's ten characters).
 */
export function newRunId(): string {
  return `r${randomBytes(2).toString('hex')}`;
}

/** A name prefix for one stack or harness of this run: `t<run id><random>` (ten characters), traceable to the run. */
export function scopedPrefix(): string {
  return `t${testRunId()}${randomBytes(2).toString('hex')}`;
}
