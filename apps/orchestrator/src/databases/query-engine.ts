import type { SiteDatabaseQuery } from '@dais/shared';
import type { DatabaseEngine } from './database-engine';
import type { AnswerCollector } from './query-result';

/** A result column as the console shows it. */
export interface QueryColumn {
  name: string;
  type: string;
}

/** What an engine reports about a statement besides its rows (which go to the collector). */
export interface QueryOutcome {
  columns: QueryColumn[];
  /** Rows changed by INSERT/UPDATE/DELETE…; null when the statement returned rows instead. */
  affectedRows: number | null;
  /** The command tag the server reported, when it did. */
  command: string | null;
}

/**
 * Runs one console statement on one engine, logged in as the site's own user with the statement's
 * time limit, handing each row to the collector until it is full. Every failure is a coded error
 * (see `consoleError`); the connection is always closed.
 */
export interface QueryEngine {
  readonly engine: DatabaseEngine;
  run(query: SiteDatabaseQuery, answer: AnswerCollector): Promise<QueryOutcome>;
}

/** How long past the statement's own time limit the orchestrator waits before cancelling it itself. */
export const CLIENT_GRACE_MS = 2_000;

/** How long logging in to a database host may take. */
export const CONNECT_TIMEOUT_MS = 5_000;
