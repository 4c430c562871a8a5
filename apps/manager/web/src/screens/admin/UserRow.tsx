import { useState, type ReactNode } from 'react';
import { roleSchema } from '@dais/shared/rules';
import { useAccount } from '../../app/auth';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { UserView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusDot } from '../../ui/StatusDot';
import { timeAgo } from '../../ui/format';
import { ResetPasswordForm } from './ResetPasswordForm';

type UserChange = { role?: UserView['role']; disabled?: boolean };

/** One account with its role, its state and what an admin may change about it. */
export function UserRow({ user, onChanged }: { user: UserView; onChanged: (user: UserView) => void }): ReactNode {
  const me = useAccount();
  const [resetting, setResetting] = useState(false);
  const [passwordSet, setPasswordSet] = useState<'ended' | 'kept' | null>(null);
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const change = useAction(async (update: UserChange) => onChanged(await manager.patch<UserView>(`/api/users/${user.id}`, update)));
  const isMe = user.id === me.id;
  return (
    <li className="admin-row" aria-label={`User ${user.username}`}>
      <div className="admin-row-main">
        <span className="admin-row-title">{user.username}</span>
        {user.displayName ? <span>{user.displayName}</span> : null}
        {user.email ? <span className="mono">{user.email}</span> : null}
        <StatusDot tone={user.disabled ? 'off' : 'ok'} label={user.disabled ? 'Disabled' : 'Active'} />
        <span className="field-hint">
          {user.sso ? 'single sign-on' : 'password'} · since {timeAgo(user.createdAt)}
          {isMe ? ' · you' : ''}
        </span>
      </div>
      <div className="admin-row-actions">
        <label className="filter">
          <span>Role</span>
          <select
            value={user.role}
            disabled={change.busy || isMe}
            title={isMe ? 'Admins cannot demote themselves' : undefined}
            onChange={(event) => void change.run({ role: roleSchema.parse(event.target.value) })}
          >
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <Button
          className="button-small"
          variant={user.disabled ? 'secondary' : 'danger'}
          busy={change.busy}
          disabled={isMe}
          // Disabling signs the person out everywhere, so it is asked first; enabling is harmless.
          onClick={() => (user.disabled ? void change.run({ disabled: false }) : setConfirmingDisable(true))}
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
        {!user.sso ? (
          <button
            type="button"
            className="button button-ghost button-small"
            aria-expanded={resetting}
            onClick={() => {
              setResetting((open) => !open);
              setPasswordSet(null);
            }}
          >
            Reset password
          </button>
        ) : null}
      </div>
      <ErrorNotice error={change.error} />
      {resetting ? (
        <ResetPasswordForm
          user={user}
          onDone={(kept) => {
            setResetting(false);
            setPasswordSet(kept ? 'kept' : 'ended');
          }}
        />
      ) : null}
      <ConfirmDialog
        open={confirmingDisable}
        title={`Disable ${user.username}?`}
        confirmLabel="Disable account"
        danger
        busy={change.busy}
        onCancel={() => setConfirmingDisable(false)}
        onConfirm={() => void change.run({ disabled: true }).then(() => setConfirmingDisable(false))}
      >
        <p>
          They are signed out everywhere at once, and their open terminals, log streams and SSH sessions close; their API tokens and SSH
          keys stop working until the account is enabled again.
        </p>
      </ConfirmDialog>
      {passwordSet ? (
        <p className="notice notice-ok" role="status">
          Password set for {user.username}
          {passwordSet === 'ended' ? '; they were signed out everywhere and their API tokens revoked.' : '; their sessions were kept.'}
        </p>
      ) : null}
    </li>
  );
}
