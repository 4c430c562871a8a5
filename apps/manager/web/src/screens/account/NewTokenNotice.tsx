import type { ReactNode } from 'react';
import type { CreatedTokenView } from '../../api/types';
import { Button } from '../../ui/Button';
import { Secret } from '../../ui/Secret';

/** The token just created — the only time the manager ever shows it (it keeps only a hash). */
export function NewTokenNotice({ token, onDismiss }: { token: CreatedTokenView; onDismiss: () => void }): ReactNode {
  return (
    <div className="notice notice-info new-token" role="status">
      <p>
        <strong>Token “{token.name}” created.</strong> Copy it now: it will not be shown again. If you lose it, revoke it and create
        another.
      </p>
      <Secret value={token.token} label="New API token" />
      <div className="form-actions">
        <Button variant="ghost" className="button-small" onClick={onDismiss}>
          I have copied it
        </Button>
      </div>
    </div>
  );
}
