import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { passwordSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { UserView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { CheckboxField, Field } from '../../ui/Field';

/**
 * Sets a new password for someone. Unless the admin keeps them, the person's sessions, API tokens
 * and SSH sessions end (a reset usually means the old password leaked), so the form says so.
 */
export function ResetPasswordForm({ user, onDone }: { user: UserView; onDone: (keptSessions: boolean) => void }): ReactNode {
  const [password, setPassword] = useState('');
  const [keepSessions, setKeepSessions] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const check = passwordSchema.safeParse(password);
  const reset = useAction(async () => {
    await manager.patch<UserView>(`/api/users/${user.id}`, { password, ...(keepSessions ? { keepSessions } : {}) });
    onDone(keepSessions);
  });
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    if (check.success) void reset.run();
  };
  const localProblem = attempted || password !== '' ? check.error?.issues[0]?.message : undefined;
  return (
    <form className="form inline-form" onSubmit={submit} noValidate aria-label={`Reset the password of ${user.username}`}>
      <Field
        label={`New password for ${user.username}`}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={localProblem ?? reset.error?.issueFor('password')}
        hint={
          keepSessions
            ? 'They sign in with this password next time; what they have open keeps working.'
            : 'They are signed out everywhere, their API tokens revoked and SSH sessions closed; they sign in with this password next time.'
        }
      />
      <CheckboxField
        label="Keep their sessions and API tokens"
        checked={keepSessions}
        onChange={(event) => setKeepSessions(event.target.checked)}
      />
      <Button type="submit" variant="primary" busy={reset.busy}>
        Set password
      </Button>
      <ErrorNotice error={reset.error} fields={['password']} />
    </form>
  );
}
