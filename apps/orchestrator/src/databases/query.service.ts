import { KeyedLock, type SiteDatabaseQuery, type SqlQueryResult } from '@dais/shared';
import type { DatabaseEngine } from './database-engine';
import type { QueryEngine } from './query-engine';
import { MysqlQueryEngine } from './query-mysql.adapter';
import { PostgresQueryEngine } from './query-postgres.adapter';
import { AnswerCollector, CONSOLE_ANSWER_LIMITS, leadingKeyword } from './query-result';

/**
 * The SQL console: runs one statement on a site's database as the site's own user (the connection
 * its container gets, never the host's admin) and answers with JSON-safe, size-bounded rows.
 * One statement per site at a time, so a console cannot pile connections onto a host.
 */
export class DatabaseQueryService {
  private readonly lock = new KeyedLock<number>();

  constructor(private readonly engines: Readonly<Record<DatabaseEngine, QueryEngine>>) {}

  async run(query: SiteDatabaseQuery): Promise<SqlQueryResult> {
    return this.lock.run(query.siteId, async () => {
      const answer = new AnswerCollector({ maxRows: query.maxRows, ...CONSOLE_ANSWER_LIMITS });
      const started = performance.now();
      const outcome = await this.engines[query.connection.engine].run(query, answer);
      return {
        engine: query.connection.engine,
        columns: outcome.columns,
        rows: answer.rows,
        rowCount: outcome.affectedRows ?? answer.rows.length,
        truncated: answer.truncated,
        command: outcome.command ?? leadingKeyword(query.sql),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
    });
  }
}

/** The console with the real PostgreSQL and MySQL/MariaDB engines. Connects only when asked. */
export function createDatabaseQueryService(): DatabaseQueryService {
  return new DatabaseQueryService({ postgresql: new PostgresQueryEngine(), mysql: new MysqlQueryEngine() });
}
