import { useId, useState, type KeyboardEvent, type ReactNode, type SyntheticEvent } from 'react';
import { sqlQueryRequestSchema, type SqlQueryResult } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { QueryError } from './QueryError';
import { QueryResultTable } from './QueryResultTable';

/** One statement at a time on the site's database, as the site's own user; Ctrl-Enter (⌘-Enter) runs it. */
export function SqlConsole({ siteId }: { siteId: number }): ReactNode {
  const id = useId();
  const [sql, setSql] = useState('');
  const [ran, setRan] = useState('');
  const [result, setResult] = useState<SqlQueryResult | null>(null);
  const running = useAction(async (statement: string) => {
    setRan(statement);
    setResult(null);
    setResult(await manager.post<SqlQueryResult>(`/api/sites/${siteId}/database/query`, { sql: statement }));
  });

  const problem = sql === '' ? undefined : fieldProblems(sqlQueryRequestSchema, { sql }).sql;
  const fieldProblem = problem ?? running.error?.issueFor('sql');
  const run = (): void => {
    if (sql.trim() === '' || problem || running.busy) return;
    void running.run(sql);
  };
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    run();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>SQL console</h3>
      <form className="form" onSubmit={submit} noValidate>
        <div className={`field${fieldProblem ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-sql`}>Statement</label>
          <textarea
            id={`${id}-sql`}
            className="mono"
            rows={5}
            spellCheck={false}
            autoCapitalize="none"
            value={sql}
            placeholder="SELECT * FROM posts LIMIT 10"
            onChange={(event) => setSql(event.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby={`${id}-hint`}
            aria-invalid={fieldProblem ? true : undefined}
          />
          <div className="field-hint" id={`${id}-hint`}>
            One statement, run as the site's own user; 5 seconds and 500 rows at most. Ctrl-Enter runs it. Every statement is recorded in
            the audit log.
          </div>
          {fieldProblem ? (
            <div className="field-error" role="alert">
              {fieldProblem}
            </div>
          ) : null}
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={running.busy} disabled={sql.trim() === '' || problem !== undefined}>
            Run
          </Button>
        </div>
      </form>
      <QueryError error={running.error} sql={ran} />
      {result ? <QueryResultTable result={result} /> : null}
    </section>
  );
}
