// pg-cursor ships no types. The reference brings this file's declaration along into every program
// that compiles the adapter (tests and benchmarks too), not only the orchestrator's own.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./query-pg-cursor.d.ts" />
import pg from 'pg';
import Cursor from 'pg-cursor';
import { DaisError, type DatabaseConnection, type SiteDatabaseQuery } from '@dais/shared';
import { errorCodeOf, errorMessageOf } from './database-errors';
import { CLIENT_GRACE_MS, CONNECT_TIMEOUT_MS, type QueryColumn, type QueryEngine, type QueryOutcome } from './query-engine';
import { consoleError, pickDetails, type QueryFailure } from './query-errors';
import type { AnswerCollector } from './query-result';

/** Rows fetched per round trip: small enough that the size budget is checked often. */
const BATCH_ROWS = 100;
/** Command tags whose row count is what the statement changed. */
const CHANGING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

// Values arrive as the server's text; only types JSON holds exactly become numbers or booleans
// (int8 and numeric stay strings, NaN and Infinity become strings later).
const INTEGER_OIDS = new Set([21, 23, 26]);
const FLOAT_OIDS = new Set([700, 701]);
const BOOL_OID = 16;
const asText = (value: string): string => value;
const asInteger = (value: string): number => Number.parseInt(value, 10);
const asBoolean = (value: string): boolean => value === 't';

/** Type parsers of the console: the server's own text, except small numbers and booleans. */
const CONSOLE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid: number) =>
    INTEGER_OIDS.has(oid) ? asInteger : FLOAT_OIDS.has(oid) ? Number : oid === BOOL_OID ? asBoolean : asText,
};

/**
 * A cursor that survives COPY: pg hands COPY messages to the active query, and a cursor without
 * these handlers would throw outside any promise and take the orchestrator down.
 */
class ConsoleCursor extends Cursor<unknown[]> {
  /** COPY … FROM STDIN would wait for data the console never sends: refuse it. */
  handleCopyInResponse(connection: pg.Connection & { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('the SQL console cannot send COPY data; use INSERT');
  }

  /** COPY … TO STDOUT: the data is not shown, only the row count. */
  handleCopyData(): void {}
}

/**
 * The console on PostgreSQL hosts: one statement through a cursor (the extended protocol refuses
 * several statements at once), at most `maxRows + 1` rows fetched, `statement_timeout` set by the
 * server, and a client-side deadline in case the statement outlives it.
 */
export class PostgresQueryEngine implements QueryEngine {
  readonly engine = 'postgresql' as const;

  async run(query: SiteDatabaseQuery, answer: AnswerCollector): Promise<QueryOutcome> {
    const client = new pg.Client(clientConfig(query.connection, query.timeoutMs));
    // A connection lost between reads is reported by the next read; unheard, it would crash the process.
    client.on('error', () => undefined);
    let timedOut = false;
    let deadline: NodeJS.Timeout | undefined;
    try {
      await client.connect().catch((error: unknown) => {
        throw translate(error, query, true);
      });
      deadline = setTimeout(() => {
        timedOut = true;
        void cancel(client, query.connection).finally(() => client.end().catch(() => undefined));
      }, query.timeoutMs + CLIENT_GRACE_MS);
      const cursor = client.query(new ConsoleCursor(query.sql, null, { rowMode: 'array', types: CONSOLE_TYPES }));
      const result = await readInto(cursor, answer, query.maxRows);
      await cursor.close();
      clearTimeout(deadline);
      const changed = result.command !== null && CHANGING_COMMANDS.has(result.command);
      return { columns: await describe(client, result.fields), affectedRows: changed ? result.rowCount : null, command: result.command };
    } catch (error) {
      if (error instanceof DaisError) throw error;
      throw translate(error, query, false, timedOut);
    } finally {
      clearTimeout(deadline);
      await client.end().catch(() => undefined);
    }
  }
}

function clientConfig(connection: DatabaseConnection, timeoutMs: number): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    user: connection.username,
    password: connection.password,
    database: connection.name,
    application_name: 'dais-sql-console',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: timeoutMs,
  };
}

type CursorResult = Parameters<Parameters<Cursor['read']>[1]>[2];

/** Reads batches into the collector until the statement ends or the collector is full. */
async function readInto(cursor: ConsoleCursor, answer: AnswerCollector, maxRows: number): Promise<CursorResult> {
  for (;;) {
    const wanted = Math.min(BATCH_ROWS, maxRows + 1 - answer.rows.length);
    const { rows, result } = await new Promise<{ rows: unknown[][]; result: CursorResult }>((resolve, reject) => {
      cursor.read(wanted, (error, rows, result) => (error ? reject(error) : resolve({ rows, result })));
    });
    for (const row of rows) if (!answer.add(row)) return result;
    if (rows.length < wanted) return result;
  }
}

/** Column names with the server's names for their types (`integer`, `text`, `timestamp with time zone`…). */
async function describe(client: pg.Client, fields: readonly pg.FieldDef[]): Promise<QueryColumn[]> {
  if (fields.length === 0) return [];
  const oids = [...new Set(fields.map((field) => field.dataTypeID))];
  const names = await client
    .query<{ oid: number; name: string }>(
      'SELECT oid::int AS oid, pg_catalog.format_type(oid, NULL) AS name FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])',
      [oids],
    )
    .then(({ rows }) => new Map(rows.map((row) => [row.oid, row.name])))
    // The statement may have left the session unable to answer (a tiny statement_timeout): ids will do.
    .catch(() => new Map<number, string>());
  return fields.map((field) => ({ name: field.name, type: names.get(field.dataTypeID) ?? `oid ${field.dataTypeID}` }));
}

/** Asks the server to cancel the running statement, from a second session of the same user. */
async function cancel(client: pg.Client, connection: DatabaseConnection): Promise<void> {
  const pid = (client as unknown as { processID: number | null }).processID;
  if (pid === null) return;
  const canceller = new pg.Client({ ...clientConfig(connection, 1_000), application_name: 'dais-sql-console-cancel' });
  canceller.on('error', () => undefined);
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: ending the connection (next) stops the client waiting either way.
  } finally {
    await canceller.end().catch(() => undefined);
  }
}

function translate(error: unknown, query: SiteDatabaseQuery, connecting: boolean, timedOut = false): DaisError {
  const message = errorMessageOf(error);
  const sqlState = errorCodeOf(error);
  return consoleError({
    failure: classify(sqlState, message, connecting, timedOut),
    connection: query.connection,
    message,
    timeoutMs: query.timeoutMs,
    details: { ...(sqlState ? { sqlState } : {}), ...pickDetails(error, ['position', 'detail', 'hint']) },
  });
}

function classify(sqlState: string | undefined, message: string, connecting: boolean, timedOut: boolean): QueryFailure {
  if (timedOut || (sqlState === '57014' && /statement timeout/.test(message))) return 'timeout';
  // 28P01 wrong password; 28000 no pg_hba.conf entry or a role that may not log in; 42501 no CONNECT right.
  if (sqlState === '28P01' || sqlState === '28000' || (connecting && sqlState === '42501')) return 'login';
  if (sqlState === '3D000') return 'missing';
  // pg reports connect timeouts and dropped connections without a SQLSTATE; 08 connection, 57P shutdown.
  if (connecting || sqlState === undefined || /^(08|57P)/.test(sqlState) || /^E[A-Z]+$/.test(sqlState)) return 'unavailable';
  return 'statement';
}
