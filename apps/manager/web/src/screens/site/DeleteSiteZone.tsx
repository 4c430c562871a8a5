import { useState, type ReactNode } from 'react';
import { manager } from '../../api/client';
import type { OperationView, SiteView } from '../../api/types';
import { useAction } from '../../api/use-api';
import { navigate } from '../../app/router';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { siteActionError } from './site-action-error';

/** Deleting a site, behind a dialog that wants its exact name (the server checks the same). */
export function DeleteSiteZone({ site }: { site: SiteView }): ReactNode {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const remove = useAction(async () => {
    await manager.delete<OperationView>(`/api/sites/${site.id}`, { confirm: typed });
    setOpen(false);
    navigate('/sites');
  });
  const close = (): void => {
    setOpen(false);
    setTyped('');
    remove.clearError();
  };
  const error = siteActionError(remove.error);

  return (
    <section className="card danger-zone" aria-labelledby="danger-zone-title">
      <h2 id="danger-zone-title">Delete this site</h2>
      <p>Its files, container, routes, domains and database are removed. This cannot be undone.</p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete site
      </Button>
      <ConfirmDialog
        open={open}
        title={`Delete ${site.name}?`}
        confirmLabel="Delete site"
        danger
        busy={remove.busy}
        canConfirm={typed === site.name}
        onConfirm={() => void remove.run()}
        onCancel={close}
      >
        <Field
          label={`Type the site's name (${site.name}) to confirm`}
          value={typed}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setTyped(event.target.value)}
          error={error?.issueFor('confirm')}
        />
        <ErrorNotice error={error} fields={['confirm']} />
      </ConfirmDialog>
    </section>
  );
}
