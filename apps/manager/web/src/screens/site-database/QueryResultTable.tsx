import type { ReactNode } from 'react';
import type { SqlCell, SqlQueryResult } from '@dais/shared/rules';
import { formatDuration } from '../../ui/format';

/** A console answer: what ran, how long it took, and its rows as text (NULL set apart from the text "NULL"). */
export function QueryResultTable({ result }: { result: SqlQueryResult }): ReactNode {
  const rowWord = result.rowCount === 1 ? 'row' : 'rows';
  return (
    <div className="query-result" role="region" aria-label="Query result">
      <p className="field-hint" role="status">
        <strong>{result.command || 'Done'}</strong> · {result.rowCount} {rowWord} · {formatDuration(result.durationMs)}
      </p>
      {result.truncated ? (
        <div className="notice notice-info">
          Only part of the answer is shown: more rows than the console returns, or long values cut (ending in …).
        </div>
      ) : null}
      {result.columns.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                {result.columns.map((column, index) => (
                  <th key={index} scope="col" title={column.type}>
                    {column.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, rowIndex) => (
                <tr key={rowIndex}>
                  {row.map((cell, cellIndex) => (
                    <td key={cellIndex} className="mono">
                      <Cell value={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

function Cell({ value }: { value: SqlCell }): ReactNode {
  if (value === null) {
    return (
      <em className="sql-null" title="SQL NULL (no value)">
        NULL
      </em>
    );
  }
  return String(value);
}
