import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { RESOURCE_BOUNDS, resourceLimitsSchema, type ResourceLimits } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { SiteView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

const FIELDS = [
  { name: 'memoryMb', label: 'Memory (MB)', step: '1' },
  { name: 'cpus', label: 'CPUs', step: '0.1' },
  { name: 'pids', label: 'Processes', step: '1' },
] as const;

/** A dynamic site's container limits, checked against the server's bounds before sending. */
export function LimitsEditor({
  siteId,
  limits,
  onSaved,
}: {
  siteId: number;
  limits: ResourceLimits;
  onSaved: (site: SiteView) => void;
}): ReactNode {
  const [typed, setTyped] = useState<Record<keyof ResourceLimits, string>>({
    memoryMb: String(limits.memoryMb),
    cpus: String(limits.cpus),
    pids: String(limits.pids),
  });
  const wanted = { memoryMb: Number(typed.memoryMb), cpus: Number(typed.cpus), pids: Number(typed.pids) };
  const problems = fieldProblems(resourceLimitsSchema, wanted);
  const save = useAction(async () => onSaved(await manager.patch<SiteView>(`/api/sites/${siteId}`, { limits: wanted })));

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (Object.keys(problems).length === 0) void save.run();
  };

  return (
    <form className="form limits-form" onSubmit={submit} noValidate aria-label="Resource limits">
      <div className="limits-fields">
        {FIELDS.map(({ name, label, step }) => (
          <Field
            key={name}
            label={label}
            type="number"
            inputMode="decimal"
            step={step}
            min={RESOURCE_BOUNDS[name].min}
            max={RESOURCE_BOUNDS[name].max}
            value={typed[name]}
            onChange={(event) => setTyped((current) => ({ ...current, [name]: event.target.value }))}
            hint={`${RESOURCE_BOUNDS[name].min} to ${RESOURCE_BOUNDS[name].max}`}
            error={problems[name] ?? save.error?.issueFor(`limits.${name}`)}
          />
        ))}
      </div>
      <ErrorNotice error={save.error} fields={FIELDS.map(({ name }) => `limits.${name}`)} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={save.busy} disabled={Object.keys(problems).length > 0}>
          Save limits
        </Button>
      </div>
    </form>
  );
}
