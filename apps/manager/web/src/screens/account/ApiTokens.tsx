import { useState, type ReactNode } from 'react';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { manager } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import type { CreatedTokenView, TokenView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { timeAgo } from '../../ui/format';
import { CreateTokenForm } from './CreateTokenForm';
import { NewTokenNotice } from './NewTokenNotice';

/** Personal API tokens for scripts: listed without their secrets, created (shown once), revoked. */
export function ApiTokens(): ReactNode {
  const tokens = useApi<{ tokens: TokenView[] }>('/api/tokens');
  const [created, setCreated] = useState<CreatedTokenView | null>(null);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const revoke = useAction(async (token: TokenView) => {
    await manager.delete(`/api/tokens/${token.id}`);
    tokens.set((current) => ({ tokens: (current?.tokens ?? []).filter((row) => row.id !== token.id) }));
    if (created?.id === token.id) setCreated(null);
  });

  const onCreated = (token: CreatedTokenView): void => {
    setCreated(token);
    const listed: TokenView = { id: token.id, name: token.name, createdAt: token.createdAt, lastUsedAt: null };
    tokens.set((current) => ({ tokens: [...(current?.tokens ?? []), listed] }));
  };

  const list = tokens.data?.tokens ?? [];
  return (
    <section className="card account-section" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="field-hint">
        Scripts send a token as <code>Authorization: Bearer …</code>; it acts with your role.
      </p>
      <ResourceStatus resource={tokens} what="your tokens" isEmpty={list.length === 0} empty="No tokens yet." />
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="API tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td title={token.createdAt}>{timeAgo(token.createdAt)}</td>
                  <td title={token.lastUsedAt ?? undefined}>{token.lastUsedAt ? timeAgo(token.lastUsedAt) : 'never'}</td>
                  <td>
                    <Button variant="ghost" className="button-small" onClick={() => setRevoking(token)}>
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {created ? <NewTokenNotice token={created} onDismiss={() => setCreated(null)} /> : null}
      <CreateTokenForm onCreated={onCreated} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the token “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        danger
        busy={revoke.busy}
        onCancel={() => {
          setRevoking(null);
          revoke.clearError();
        }}
        onConfirm={() => {
          if (revoking) void revoke.run(revoking).then((ok) => ok && setRevoking(null));
        }}
      >
        <p>Scripts using it are refused from now on. This cannot be undone.</p>
        <ErrorNotice error={revoke.error} />
      </ConfirmDialog>
    </section>
  );
}
