import { useState, type ReactNode, type SyntheticEvent } from 'react';
import type { OperationView } from '../../api/types';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';

type Engine = 'postgresql' | 'mysql';

/** A site without a database: choose the engine; creating it is an operation the page then follows. */
export function CreateDatabaseForm({ siteId, onStarted }: { siteId: number; onStarted: (operation: OperationView) => void }): ReactNode {
  const [engine, setEngine] = useState<Engine>('postgresql');
  const creating = useAction(async (chosen: Engine) => {
    onStarted(await manager.post<OperationView>(`/api/sites/${siteId}/database`, { engine: chosen }));
  });
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void creating.run(engine);
  };
  return (
    <form className="card form" onSubmit={submit} aria-label="Create a database">
      <p>This site has no database yet. Its code gets the connection as DATABASE_URL and DB_* variables once it has one.</p>
      <fieldset className="choice">
        <legend>Engine</legend>
        <label>
          <input type="radio" name="engine" value="postgresql" checked={engine === 'postgresql'} onChange={() => setEngine('postgresql')} />{' '}
          PostgreSQL
        </label>
        <label>
          <input type="radio" name="engine" value="mysql" checked={engine === 'mysql'} onChange={() => setEngine('mysql')} /> MySQL
          (MariaDB)
        </label>
      </fieldset>
      <ErrorNotice error={creating.error} fields={['engine']} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={creating.busy}>
          Create database
        </Button>
      </div>
    </form>
  );
}
