import type { ReactNode } from 'react';
import { Button } from '../../ui/Button';
import { envRow, type EnvRow } from './runtime-form';

/**
 * The site's own environment variables as name/value rows. `problems` maps a variable name to what
 * is wrong with it (from the server's schema run here, or the server's answer).
 */
export function EnvEditor({
  rows,
  problems,
  onChange,
}: {
  rows: readonly EnvRow[];
  problems: (name: string) => string | undefined;
  onChange: (rows: EnvRow[]) => void;
}): ReactNode {
  const update = (key: number, change: Partial<EnvRow>): void =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  return (
    <fieldset className="env-editor">
      <legend>Environment variables</legend>
      <p className="field-hint">Given to the site's program. Secrets (passwords, keys) belong in secrets, which are never shown back.</p>
      {rows.map((row, index) => {
        const problem = row.name === '' ? undefined : problems(row.name);
        return (
          <div key={row.key} className={`toolbar${problem ? ' field-invalid' : ''}`}>
            <input
              aria-label={`Variable ${index + 1} name`}
              className="mono"
              placeholder="NAME"
              autoCapitalize="none"
              spellCheck={false}
              value={row.name}
              onChange={(event) => update(row.key, { name: event.target.value })}
              aria-invalid={problem ? true : undefined}
            />
            <input
              aria-label={`Variable ${index + 1} value`}
              className="mono"
              placeholder="value"
              spellCheck={false}
              value={row.value}
              onChange={(event) => update(row.key, { value: event.target.value })}
            />
            <Button variant="ghost" className="button-small" onClick={() => onChange(rows.filter((other) => other.key !== row.key))}>
              Remove
            </Button>
            {problem ? (
              <div className="field-error" role="alert">
                {row.name}: {problem}
              </div>
            ) : null}
          </div>
        );
      })}
      <Button className="button-small" onClick={() => onChange([...rows, envRow()])}>
        Add variable
      </Button>
    </fieldset>
  );
}
