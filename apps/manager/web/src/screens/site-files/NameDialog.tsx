import { useEffect, useState, type ReactNode } from 'react';
import { useAction } from '../../api/use-api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { entryNameProblem } from './file-paths';

export interface NameRequest {
  title: string;
  confirmLabel: string;
  /** The folder the name will be in, shown so people know where it lands. */
  folder: string;
  initialName: string;
  /** Makes the entry; the dialog shows its refusal and closes when it worked. */
  submit: (name: string) => Promise<unknown>;
}

/** Asks for one entry name (new file, new folder, rename), checked as the server checks it. */
export function NameDialog({ request, onClose }: { request: NameRequest | null; onClose: () => void }): ReactNode {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const action = useAction((value: string) => request?.submit(value) ?? Promise.resolve());
  const { clearError } = action;

  useEffect(() => {
    setName(request?.initialName ?? '');
    setTouched(false);
    clearError();
  }, [request, clearError]);

  const problem = entryNameProblem(name);
  const serverProblem = action.error?.issueFor('path') ?? action.error?.issueFor('to');
  return (
    <ConfirmDialog
      open={request !== null}
      title={request?.title ?? ''}
      confirmLabel={request?.confirmLabel ?? 'OK'}
      busy={action.busy}
      onCancel={onClose}
      onConfirm={() => {
        setTouched(true);
        if (problem) return;
        void action.run(name).then((done) => {
          if (done) onClose();
        });
      }}
    >
      <Field
        label="Name"
        value={name}
        autoFocus
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => {
          setName(event.currentTarget.value);
          setTouched(true);
          clearError();
        }}
        error={(touched ? (problem ?? undefined) : undefined) ?? serverProblem}
        hint={<>In {request?.folder}</>}
      />
      <ErrorNotice error={serverProblem ? null : action.error} />
    </ConfirmDialog>
  );
}
