import { z } from 'zod';
import { databaseConnectionSchema, databaseEngineSchema } from './runtime';
import { siteIdSchema } from './site-id';

/** The longest statement the SQL console accepts, in UTF-8 bytes. */
export const SQL_STATEMENT_MAX_BYTES = 100 * 1024;

/** How long one console statement may run before the database cancels it. */
export const SQL_CONSOLE_TIMEOUT_MS = 5_000;

/** How many rows one console answer carries at most. */
export const SQL_CONSOLE_MAX_ROWS = 500;

const utf8 = new TextEncoder();

/** One SQL statement as a person typed it: not blank, no NUL, at most {@link SQL_STATEMENT_MAX_BYTES}. */
export const sqlStatementSchema = z
  .string({ error: 'must be a string' })
  .refine((sql) => sql.trim().length > 0, { message: 'must not be empty', params: { rule: 'empty' } })
  .refine((sql) => !sql.includes('\0'), { message: 'must not contain NUL characters', params: { rule: 'nul' } })
  .refine((sql) => utf8.encode(sql).length <= SQL_STATEMENT_MAX_BYTES, {
    message: `must be at most ${SQL_STATEMENT_MAX_BYTES / 1024} KB`,
    params: { rule: 'max-bytes' },
  });

/** `POST /api/sites/:id/database/query`: run one statement on the site's database as the site's user. */
export const sqlQueryRequestSchema = z.strictObject({ sql: sqlStatementSchema });

/** Parsed form of {@link sqlQueryRequestSchema}. */
export type SqlQueryRequest = z.output<typeof sqlQueryRequestSchema>;

/**
 * `POST /v1/databases/:siteId/query` (manager → orchestrator): run one statement with the site's own
 * connection (the address and user its container gets), never as the host's admin.
 */
export const siteDatabaseQuerySchema = z.strictObject({
  siteId: siteIdSchema,
  connection: databaseConnectionSchema,
  sql: sqlStatementSchema,
  timeoutMs: z.number().int().min(100).max(60_000).default(SQL_CONSOLE_TIMEOUT_MS),
  maxRows: z.number().int().min(1).max(5_000).default(SQL_CONSOLE_MAX_ROWS),
});

/** Parsed form of {@link siteDatabaseQuerySchema}. */
export type SiteDatabaseQuery = z.output<typeof siteDatabaseQuerySchema>;

/** One value of a result cell once made JSON-safe: big numbers, bytes and dates arrive as strings. */
export const sqlCellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Parsed form of {@link sqlCellSchema}. */
export type SqlCell = z.output<typeof sqlCellSchema>;

/** A result column: its name and the database's name for its type (`int4`, `varchar`, …). */
export const sqlColumnSchema = z.strictObject({ name: z.string(), type: z.string() });

/** The answer to one console statement (the manager passes the orchestrator's answer on as it is). */
export const sqlQueryResultSchema = z.strictObject({
  engine: databaseEngineSchema,
  columns: z.array(sqlColumnSchema),
  /** One array per row, in column order. */
  rows: z.array(z.array(sqlCellSchema)),
  /** Rows returned, or rows changed by INSERT/UPDATE/DELETE. */
  rowCount: z.number().int().min(0),
  /** True when the answer does not hold everything: more rows than the limit, or long values cut (ending in `…`). */
  truncated: z.boolean(),
  /** What kind of statement ran: `SELECT`, `INSERT`, `CREATE`… */
  command: z.string(),
  durationMs: z.number().min(0),
});

/** Parsed form of {@link sqlQueryResultSchema}. */
export type SqlQueryResult = z.output<typeof sqlQueryResultSchema>;
