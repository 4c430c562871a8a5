import { useState, type ReactNode } from 'react';
import type { OperationView } from '../../api/types';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';

/** Rotate the password (the container gets the new one) or drop the database, after a confirmation each. */
export function DatabaseActions({
  siteId,
  databaseName,
  busy,
  onStarted,
}: {
  siteId: number;
  databaseName: string;
  /** Another operation runs on the site: the server would answer SITE_BUSY. */
  busy: boolean;
  onStarted: (operation: OperationView) => void;
}): ReactNode {
  const [asking, setAsking] = useState<'rotate' | 'delete' | null>(null);
  const acting = useAction(async (what: 'rotate' | 'delete') => {
    const operation =
      what === 'rotate'
        ? await manager.post<OperationView>(`/api/sites/${siteId}/database/rotate-password`)
        : await manager.delete<OperationView>(`/api/sites/${siteId}/database`);
    setAsking(null);
    onStarted(operation);
  });
  const close = (): void => {
    setAsking(null);
    acting.clearError();
  };
  return (
    <>
      <div className="actions">
        <Button onClick={() => setAsking('rotate')} disabled={busy}>
          Rotate password
        </Button>
        <Button variant="danger" onClick={() => setAsking('delete')} disabled={busy}>
          Delete database
        </Button>
      </div>
      <ConfirmDialog
        open={asking !== null}
        title={asking === 'delete' ? `Delete the database ${databaseName}?` : 'Rotate the database password?'}
        confirmLabel={asking === 'delete' ? 'Delete database' : 'Rotate password'}
        danger={asking === 'delete'}
        busy={acting.busy}
        onConfirm={() => asking && void acting.run(asking)}
        onCancel={close}
      >
        <p>
          {asking === 'delete'
            ? 'All its tables and data are dropped for good, and the site no longer gets a DATABASE_URL.'
            : 'The old password stops working; the site gets the new one when it restarts. Anything else using the old one must be updated.'}
        </p>
        <ErrorNotice error={acting.error} />
      </ConfirmDialog>
    </>
  );
}
