import type { ReactNode } from 'react';
import { useAction } from '../../api/use-api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import type { Selection } from './FileTree';

/** Asks before deleting; a folder goes with everything in it, which the dialog says plainly. */
export function DeleteDialog({
  target,
  remove,
  onClose,
}: {
  target: Selection | null;
  remove: (target: Selection) => Promise<unknown>;
  onClose: () => void;
}): ReactNode {
  const action = useAction(remove);
  const isFolder = target?.type === 'directory';
  return (
    <ConfirmDialog
      open={target !== null}
      title={isFolder ? 'Delete this folder and everything in it?' : 'Delete this file?'}
      confirmLabel="Delete"
      danger
      busy={action.busy}
      onCancel={() => {
        action.clearError();
        onClose();
      }}
      onConfirm={() => {
        if (!target) return;
        void action.run(target).then((done) => {
          if (done) onClose();
        });
      }}
    >
      <p>
        <code className="mono">{target?.path}</code>
      </p>
      {isFolder ? <p>Every file and folder inside it is deleted too. This cannot be undone.</p> : <p>This cannot be undone.</p>}
      <ErrorNotice error={action.error} />
    </ConfirmDialog>
  );
}
