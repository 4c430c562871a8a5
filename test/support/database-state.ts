/**
 * Columns that background work writes while a test runs, never a request: the certificate sync
 * copies the router's certificate state into every custom domain (seconds after it is routed),
 * the periodic proof check records what it found in an unverified domain and when it looks next,
 * and using a token or key stamps when it was last used. A snapshot taken to prove that a request
 * changed nothing must leave them out, or it fails whenever that work happens to run in between.
 */
const BACKGROUND_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  Domain: [
    'certificateState',
    'certificateExpiresAt',
    'certificateMessage',
    'certificateRetryAt',
    'checkedAt',
    'checkProblem',
    'checkMessage',
    'nextCheckAt',
  ],
  ApiToken: ['lastUsedAt'],
  SshKey: ['lastUsedAt'],
};

/** SQL for a row of `table` (aliased `t`) as jsonb: every column but those only background work writes. */
export function requestStateOf(table: string): string {
  const skipped = BACKGROUND_COLUMNS[table] ?? [];
  return skipped.length === 0 ? 'to_jsonb(t)' : `(to_jsonb(t) - array[${skipped.map((column) => `'${column}'`).join(', ')}])`;
}
