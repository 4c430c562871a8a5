import { createConnection, type Connection, type ConnectionOptions, type FieldPacket } from 'mysql2';
import { DaisError, type DatabaseConnection, type SiteDatabaseQuery } from '@dais/shared';
import { errorCodeOf, errorMessageOf } from './database-errors';
import { CLIENT_GRACE_MS, CONNECT_TIMEOUT_MS, type QueryColumn, type QueryEngine, type QueryOutcome } from './query-engine';
import { consoleError, pickDetails, type QueryFailure } from './query-errors';
import type { AnswerCollector } from './query-result';

const LOGIN_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_DBACCESS_DENIED_ERROR',
]);
/** MariaDB's max_statement_time (1969), MySQL's max_execution_time (3024), a KILL QUERY from the deadline (1317). */
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1317]);
/** Column types by protocol code; text and binary share codes and differ by character set. */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'decimal',
  0x01: 'tinyint',
  0x02: 'smallint',
  0x03: 'int',
  0x04: 'float',
  0x05: 'double',
  0x06: 'null',
  0x07: 'timestamp',
  0x08: 'bigint',
  0x09: 'mediumint',
  0x0a: 'date',
  0x0b: 'time',
  0x0c: 'datetime',
  0x0d: 'year',
  0x0e: 'date',
  0x0f: 'varchar',
  0x10: 'bit',
  0xf5: 'json',
  0xf6: 'decimal',
  0xf7: 'enum',
  0xf8: 'set',
  0xf9: 'tinytext',
  0xfa: 'mediumtext',
  0xfb: 'longtext',
  0xfc: 'text',
  0xfd: 'varchar',
  0xfe: 'char',
  0xff: 'geometry',
};
const BINARY_NAMES: Readonly<Record<string, string>> = {
  tinytext: 'tinyblob',
  mediumtext: 'mediumblob',
  longtext: 'longblob',
  text: 'blob',
  varchar: 'varbinary',
  char: 'binary',
};
/** The character set number MySQL uses for binary data. */
const BINARY_CHARSET = 63;
const UNAVAILABLE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);

/**
 * The console on MySQL/MariaDB hosts: one statement (multiple statements are off), rows streamed
 * and the connection dropped after `maxRows + 1`, the server's own statement time limit, and a
 * client-side deadline that kills the statement if the limit was lifted or not supported.
 */
export class MysqlQueryEngine implements QueryEngine {
  readonly engine = 'mysql' as const;

  async run(query: SiteDatabaseQuery, answer: AnswerCollector): Promise<QueryOutcome> {
    const connection = createConnection(connectionOptions(query.connection));
    // A connection lost between statements is reported by the next one; unheard, it would crash the process.
    connection.on('error', () => undefined);
    let finished = false;
    try {
      await call((done) => connection.connect(done)).catch((error: unknown) => {
        throw translate(error, query, true);
      });
      await limitTime(connection, query.timeoutMs);
      const outcome = await stream(connection, query, answer);
      finished = outcome.finished;
      return outcome;
    } catch (error) {
      if (error instanceof DaisError) throw error;
      throw translate(error, query, false);
    } finally {
      // A result read only in part cannot be ended politely: the rest is still on the wire.
      if (finished) await call((done) => connection.end(done)).catch(() => connection.destroy());
      else connection.destroy();
    }
  }
}

function connectionOptions(connection: DatabaseConnection): ConnectionOptions {
  return {
    host: connection.host,
    port: connection.port,
    user: connection.username,
    password: connection.password,
    database: connection.name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
    // LOAD DATA LOCAL would let the statement read the orchestrator's own files.
    flags: ['-LOCAL_FILES'],
    rowsAsArray: true,
    // Values JSON cannot hold exactly stay the server's text.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
  };
}

/** Sets the session's statement time limit: MariaDB's variable (seconds) or, failing that, MySQL's (ms). */
async function limitTime(connection: Connection, timeoutMs: number): Promise<void> {
  try {
    await call((done) => connection.query(`SET SESSION max_statement_time = ${timeoutMs / 1000}`, done));
  } catch (error) {
    if (errorCodeOf(error) !== 'ER_UNKNOWN_SYSTEM_VARIABLE') throw error;
    await call((done) => connection.query(`SET SESSION max_execution_time = ${timeoutMs}`, done));
  }
}

/** Runs the statement, handing rows of its first result to the collector until it is full. */
function stream(connection: Connection, query: SiteDatabaseQuery, answer: AnswerCollector): Promise<QueryOutcome & { finished: boolean }> {
  return new Promise((resolve, reject) => {
    let columns: QueryColumn[] | null = null;
    let affectedRows: number | null = null;
    let settled = false;
    const settle = (outcome: Error | { finished: boolean }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (outcome instanceof Error) reject(outcome);
      else resolve({ columns: columns ?? [], affectedRows, command: null, finished: outcome.finished });
    };
    const deadline = setTimeout(() => {
      void killQuery(query.connection, connection.threadId);
      connection.destroy();
      settle(consoleError({ failure: 'timeout', connection: query.connection, message: 'cancelled by Dais', timeoutMs: query.timeoutMs }));
    }, query.timeoutMs + CLIENT_GRACE_MS);
    const running = connection.query(query.sql);
    running.on('fields', (fields?: FieldPacket[]) => {
      if (fields && columns === null) columns = fields.map(toColumn);
    });
    running.on('result', (row: unknown, index?: number) => {
      if (settled) return;
      if (!Array.isArray(row)) {
        if (columns === null) affectedRows = Number((row as { affectedRows?: unknown }).affectedRows ?? 0);
      } else if ((index ?? 0) === 0 && !answer.add(row)) {
        connection.pause();
        settle({ finished: false });
      }
    });
    running.on('error', (error: Error) => settle(error));
    running.on('end', () => settle({ finished: true }));
  });
}

function toColumn(field: FieldPacket): QueryColumn {
  const code = field.columnType ?? field.type;
  const base = code === undefined ? undefined : TYPE_NAMES[code];
  const binary = field.characterSet === BINARY_CHARSET ? BINARY_NAMES[base ?? ''] : undefined;
  return { name: field.name, type: field.extendedTypeName ?? binary ?? base ?? `type ${code ?? '?'}` };
}

/** Kills the statement from a second session of the same user (a user may kill its own statements). */
async function killQuery(target: DatabaseConnection, threadId: number | null): Promise<void> {
  if (threadId === null) return;
  const killer = createConnection({ ...connectionOptions(target), connectTimeout: 2_000 });
  killer.on('error', () => undefined);
  try {
    await call((done) => killer.query('KILL QUERY ?', [threadId], done));
  } catch {
    // Best effort: the dropped connection makes the server stop at its next write anyway.
  } finally {
    killer.destroy();
  }
}

/** A mysql2 callback call as a promise. */
function call(start: (done: (error: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));
}

function translate(error: unknown, query: SiteDatabaseQuery, connecting: boolean): DaisError {
  const code = errorCodeOf(error);
  const { fatal, errno } = (error ?? {}) as { fatal?: unknown; errno?: unknown };
  return consoleError({
    failure: classify({ code, errno: typeof errno === 'number' ? errno : undefined, connecting, fatal: fatal === true }),
    connection: query.connection,
    // Only the server's message: mysql2 errors also carry the statement (`sql`).
    message: errorMessageOf(error),
    timeoutMs: query.timeoutMs,
    details: { ...(code ? { code } : {}), ...pickDetails(error, ['errno', 'sqlState']) },
  });
}

function classify({
  code,
  errno,
  connecting,
  fatal,
}: {
  code?: string;
  errno?: number;
  connecting: boolean;
  fatal: boolean;
}): QueryFailure {
  if (errno !== undefined && TIMEOUT_ERRNOS.has(errno)) return 'timeout';
  if (connecting && code === 'ER_BAD_DB_ERROR') return 'missing';
  if (connecting && code !== undefined && LOGIN_CODES.has(code)) return 'login';
  if (connecting || fatal) return 'unavailable';
  return code !== undefined && (UNAVAILABLE_CODES.has(code) || /^E[A-Z]+$/.test(code)) ? 'unavailable' : 'statement';
}
