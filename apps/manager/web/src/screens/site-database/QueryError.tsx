import type { ReactNode } from 'react';
import type { ApiError } from '../../api/api-error';
import { ErrorNotice } from '../../ui/ErrorNotice';

/**
 * Why a statement failed: the database's own message, and where in the statement when it says so
 * (PostgreSQL's 1-based `position`), with its detail and hint.
 */
export function QueryError({ error, sql }: { error: ApiError | null; sql: string }): ReactNode {
  if (!error) return null;
  const position = Number(error.details.position);
  const detail = typeof error.details.detail === 'string' ? error.details.detail : null;
  const hint = typeof error.details.hint === 'string' ? error.details.hint : null;
  const at = Number.isInteger(position) && position > 0 ? lineAndColumn(sql, position) : null;
  return (
    <ErrorNotice error={error} fields={['sql']}>
      {error.code === 'DATABASE_QUERY_TIMEOUT' ? (
        <div className="notice-detail">The statement was cancelled; nothing it did was kept.</div>
      ) : null}
      {at ? (
        <div className="notice-detail">
          At line {at.line}, column {at.column}: <code className="mono">{at.excerpt}</code>
        </div>
      ) : null}
      {detail ? <div className="notice-detail">Detail: {detail}</div> : null}
      {hint ? <div className="notice-detail">Hint: {hint}</div> : null}
    </ErrorNotice>
  );
}

function lineAndColumn(sql: string, position: number): { line: number; column: number; excerpt: string } {
  const before = sql.slice(0, position - 1);
  const lines = before.split('\n');
  const column = (lines.at(-1)?.length ?? 0) + 1;
  return { line: lines.length, column, excerpt: sql.slice(position - 1, position + 29).split('\n')[0] ?? '' };
}
