import { DaisError, type DatabaseConnection } from '@dais/shared';
import { redact } from './database-errors';

/** What went wrong with a console statement, as an engine adapter classified it. */
export type QueryFailure =
  /** The database refused or failed the statement itself (syntax, permissions, constraints…): the user's to fix. */
  | 'statement'
  /** The statement ran past its time and was cancelled. */
  | 'timeout'
  /** The host refused the site's own user. */
  | 'login'
  /** The site's database is not on the host. */
  | 'missing'
  /** The host could not be reached or dropped the connection. */
  | 'unavailable';

/** A classified driver error, for {@link consoleError}. */
export interface QueryFailureReport {
  failure: QueryFailure;
  connection: DatabaseConnection;
  /** The database's own message (the password is redacted from it). */
  message: string;
  timeoutMs: number;
  /** What the database said besides its message: SQLSTATE, position, hint… (never the statement's data). */
  details?: Record<string, unknown>;
}

/**
 * Turns a classified failure into the coded error the console shows. Statement errors keep the
 * database's own message, as a SQL console must; they are the user's input, so never a 5xx.
 */
export function consoleError(report: QueryFailureReport): DaisError {
  const { connection } = report;
  const where = `${connection.host}:${connection.port}`;
  const message = redact(report.message, [connection.password]);
  const details = { engine: connection.engine, ...report.details };
  switch (report.failure) {
    case 'statement':
      return new DaisError('DATABASE_QUERY_FAILED', message, details);
    case 'timeout':
      return new DaisError(
        'DATABASE_QUERY_TIMEOUT',
        `The statement ran longer than ${report.timeoutMs / 1000} s and was cancelled (${message}). Make it cheaper, or run it from the site itself.`,
        details,
      );
    case 'login':
      return new DaisError(
        'DATABASE_HOST_REFUSED',
        `The database host ${where} refused the site's user ${connection.username} (${message}). If its password was just rotated, wait for that operation to finish.`,
        details,
      );
    case 'missing':
      return new DaisError('DATABASE_NOT_FOUND', `The database ${connection.name} does not exist on ${where} (${message}).`, details);
    case 'unavailable':
      return new DaisError(
        'DATABASE_HOST_UNAVAILABLE',
        `The database host ${where} could not be reached or dropped the connection (${message}). Try again shortly.`,
        details,
      );
  }
}

/** Details worth showing from a driver error: only the listed keys that are set, as strings or numbers. */
export function pickDetails(error: unknown, keys: readonly string[]): Record<string, string | number> {
  const picked: Record<string, string | number> = {};
  for (const key of keys) {
    const value = (error as Record<string, unknown> | null)?.[key];
    if (typeof value === 'string' || typeof value === 'number') picked[key] = value;
  }
  return picked;
}
