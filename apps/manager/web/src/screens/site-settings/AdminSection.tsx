import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { DEFAULT_RESOURCE_LIMITS, RESOURCE_BOUNDS, resourceLimitsSchema } from '@dais/shared/rules';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useSite } from '../site/SiteFrame';
import { AvailabilityForm } from './AvailabilityForm';
import { useSiteUpdate } from './use-site-update';

type LimitField = keyof typeof RESOURCE_BOUNDS;

const LIMIT_FIELDS: readonly { field: LimitField; label: string; unit: string; step: string }[] = [
  { field: 'memoryMb', label: 'Memory (MB)', unit: 'MB', step: '1' },
  { field: 'cpus', label: 'CPUs', unit: 'CPUs', step: '0.1' },
  { field: 'pids', label: 'Processes', unit: 'processes', step: '1' },
];

/** Admins only: the container's resource limits and whether the site is served at all. */
export function AdminSection(): ReactNode {
  const { site } = useSite();
  const current = site.runtime?.limits ?? DEFAULT_RESOURCE_LIMITS;
  const [limits, setLimits] = useState<Record<LimitField, string>>({
    memoryMb: String(current.memoryMb),
    cpus: String(current.cpus),
    pids: String(current.pids),
  });
  const saving = useSiteUpdate();
  const [saved, setSaved] = useState(false);
  const request = { memoryMb: Number(limits.memoryMb), cpus: Number(limits.cpus), pids: Number(limits.pids) };
  const problems = fieldProblems(resourceLimitsSchema, request);
  const unchanged = LIMIT_FIELDS.every(({ field }) => request[field] === current[field]);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (Object.keys(problems).length > 0) return;
    void saving.run({ limits: request }).then(setSaved);
  };

  return (
    <section className="card" aria-labelledby="admin-title">
      <h3 id="admin-title">Administration</h3>
      <p className="field-hint">Only admins see and change these.</p>
      <form className="form" onSubmit={submit} noValidate aria-label="Resource limits">
        <h4>Resource limits</h4>
        {site.type === 'static' ? <p className="field-hint">They apply to the site's container once it is dynamic.</p> : null}
        {LIMIT_FIELDS.map(({ field, label, unit, step }) => (
          <Field
            key={field}
            label={label}
            name={field}
            type="number"
            inputMode="decimal"
            step={step}
            value={limits[field]}
            onChange={(event) => {
              setLimits((values) => ({ ...values, [field]: event.target.value }));
              setSaved(false);
              saving.clearError();
            }}
            error={problems[field] ?? saving.error?.issueFor(`limits.${field}`)}
            hint={`${RESOURCE_BOUNDS[field].min}–${RESOURCE_BOUNDS[field].max} ${unit}`}
          />
        ))}
        <ErrorNotice error={saving.error} fields={['limits']} />
        <div className="form-actions">
          {saved ? (
            <span role="status" className="field-hint">
              Limits saved; they are being applied.
            </span>
          ) : null}
          <Button type="submit" busy={saving.busy} disabled={saved || unchanged || Object.keys(problems).length > 0}>
            Save limits
          </Button>
        </div>
      </form>
      <AvailabilityForm />
    </section>
  );
}
