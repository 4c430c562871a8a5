import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { createDatabaseHostRequestSchema, databaseEngineSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { DatabaseHostView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

type TextField = 'name' | 'adminHost' | 'adminPort' | 'adminUser' | 'adminPassword' | 'siteHost' | 'sitePort';
const TEXT_FIELDS: readonly { name: TextField; label: string; hint?: string; type?: string }[] = [
  { name: 'name', label: 'Host name', hint: 'How admins and sites refer to it, e.g. main-postgres.' },
  { name: 'adminHost', label: 'Admin address', hint: 'Where the manager connects to create databases.' },
  { name: 'adminPort', label: 'Admin port', type: 'number' },
  { name: 'adminUser', label: 'Admin user' },
  { name: 'adminPassword', label: 'Admin password', type: 'password', hint: 'Stored for the manager only; never shown again.' },
  { name: 'siteHost', label: 'Address for sites', hint: 'Where site containers reach the server (may differ from the admin address).' },
  { name: 'sitePort', label: 'Port for sites', type: 'number' },
];
const DEFAULT_PORTS = { postgresql: '5432', mysql: '3306' } as const;
const EMPTY: Record<TextField, string> = {
  name: '',
  adminHost: '',
  adminPort: '5432',
  adminUser: '',
  adminPassword: '',
  siteHost: '',
  sitePort: '5432',
};

/** Registers a database server; the request is checked with the server's schema first. */
export function RegisterDatabaseHostForm({ onRegistered }: { onRegistered: (host: DatabaseHostView) => void }): ReactNode {
  const [engine, setEngine] = useState<'postgresql' | 'mysql'>('postgresql');
  const [values, setValues] = useState(EMPTY);
  const [attempted, setAttempted] = useState(false);
  const request = { ...values, engine, adminPort: Number(values.adminPort), sitePort: Number(values.sitePort) };
  const problems = fieldProblems(createDatabaseHostRequestSchema, request);
  const register = useAction(async () => {
    onRegistered(await manager.post<DatabaseHostView>('/api/database-hosts', request));
    setValues(EMPTY);
    setEngine('postgresql');
    setAttempted(false);
  });
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length === 0) void register.run();
  };
  const chooseEngine = (next: 'postgresql' | 'mysql'): void => {
    setEngine(next);
    // Ports still at the other engine's default follow the engine; typed ones stay.
    setValues((current) => ({
      ...current,
      adminPort: current.adminPort === DEFAULT_PORTS[engine] ? DEFAULT_PORTS[next] : current.adminPort,
      sitePort: current.sitePort === DEFAULT_PORTS[engine] ? DEFAULT_PORTS[next] : current.sitePort,
    }));
  };

  return (
    <details className="card admin-create">
      <summary>Register a database host</summary>
      <form className="form narrow" onSubmit={submit} noValidate aria-label="Register a database host">
        <div className="field">
          <label htmlFor="database-host-engine">Engine</label>
          <select
            id="database-host-engine"
            value={engine}
            onChange={(event) => chooseEngine(databaseEngineSchema.parse(event.target.value))}
          >
            <option value="postgresql">PostgreSQL</option>
            <option value="mysql">MySQL / MariaDB</option>
          </select>
        </div>
        {TEXT_FIELDS.map((field) => (
          <Field
            key={field.name}
            label={field.label}
            type={field.type ?? 'text'}
            autoComplete={field.type === 'password' ? 'new-password' : 'off'}
            value={values[field.name]}
            onChange={(event) => setValues((current) => ({ ...current, [field.name]: event.target.value }))}
            hint={field.hint}
            error={(attempted ? problems[field.name] : undefined) ?? register.error?.issueFor(field.name)}
          />
        ))}
        <ErrorNotice error={register.error} fields={['engine', ...TEXT_FIELDS.map((field) => field.name)]} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={register.busy}>
            Register host
          </Button>
        </div>
      </form>
    </details>
  );
}
