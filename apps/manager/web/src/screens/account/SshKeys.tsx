import { useState, type ReactNode } from 'react';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { manager } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import type { SshKeyView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { timeAgo } from '../../ui/format';
import { AddSshKeyForm } from './AddSshKeyForm';

/** The public keys this person signs in to the shell with. */
export function SshKeys(): ReactNode {
  const keys = useApi<{ keys: SshKeyView[] }>('/api/ssh-keys');
  const [removing, setRemoving] = useState<SshKeyView | null>(null);
  const remove = useAction(async (key: SshKeyView) => {
    await manager.delete(`/api/ssh-keys/${key.id}`);
    keys.set((current) => ({ keys: (current?.keys ?? []).filter((row) => row.id !== key.id) }));
  });

  const list = keys.data?.keys ?? [];
  return (
    <section className="card account-section" aria-labelledby="ssh-keys-title">
      <h2 id="ssh-keys-title">SSH keys</h2>
      <ResourceStatus
        resource={keys}
        what="your SSH keys"
        isEmpty={list.length === 0}
        empty="No SSH keys yet: the shell asks for your password."
      />
      {list.length > 0 ? (
        <ul className="key-list" aria-label="SSH keys">
          {list.map((key) => (
            <li key={key.id} className="key-row">
              <div>
                <strong>{key.name}</strong>{' '}
                <span className="field-hint">
                  {key.type}, {key.bits} bits · added {timeAgo(key.createdAt)} ·{' '}
                  {key.lastUsedAt ? `last used ${timeAgo(key.lastUsedAt)}` : 'never used'}
                </span>
              </div>
              <code className="fingerprint">{key.fingerprint}</code>
              <Button variant="ghost" className="button-small" onClick={() => setRemoving(key)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <AddSshKeyForm onAdded={(key) => keys.set((current) => ({ keys: [...(current?.keys ?? []), key] }))} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove the key “${removing?.name ?? ''}”?`}
        confirmLabel="Remove key"
        danger
        busy={remove.busy}
        onCancel={() => {
          setRemoving(null);
          remove.clearError();
        }}
        onConfirm={() => {
          if (removing) void remove.run(removing).then((ok) => ok && setRemoving(null));
        }}
      >
        <p>The shell stops accepting this key at once.</p>
        <ErrorNotice error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}
