import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { changePasswordRequestSchema } from '@dais/rules/contracts/accounts';
import { useAccount } from '../../app/auth';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

const FIELDS = ['currentPassword', 'newPassword', 'repeat'] as const;

/**
 * Changes one's own password. The server's own schema checks it as the person types (once a field
 * has something in it); the server signs out every other session of the account, so the page says so.
 */
export function ChangePasswordForm(): ReactNode {
  const account = useAccount();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [done, setDone] = useState(false);
  const change = useAction(() => manager.post('/api/auth/password', { currentPassword, newPassword }));

  if (!account.hasPassword) {
    return (
      <section className="card account-section" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <p>This account signs in with single sign-on and has no password here.</p>
      </section>
    );
  }

  const values = { currentPassword, newPassword, repeat };
  const problems = fieldProblems(changePasswordRequestSchema, { currentPassword, newPassword });
  if (repeat !== newPassword) problems.repeat = 'does not match the new password';
  // A field is judged once something is typed in it, or once the person tried to send the form.
  const problemOf = (field: (typeof FIELDS)[number]): string | undefined =>
    ((attempted || values[field] !== '') && problems[field]) || change.error?.issueFor(field);
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    change.clearError();
    setDone(false);
  };

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length > 0) return;
    if (await change.run()) {
      setDone(true);
      setCurrentPassword('');
      setNewPassword('');
      setRepeat('');
      setAttempted(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form className="form narrow" onSubmit={(event) => void submit(event)} noValidate>
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(event) => edit(setCurrentPassword)(event.target.value)}
          error={problemOf('currentPassword')}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={newPassword}
          onChange={(event) => edit(setNewPassword)(event.target.value)}
          error={problemOf('newPassword')}
          hint="10 to 200 characters, different from the current one and not containing your username."
        />
        <Field
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => edit(setRepeat)(event.target.value)}
          error={problemOf('repeat')}
        />
        <ErrorNotice error={change.error} fields={FIELDS} />
        {done ? (
          <p className="notice notice-ok" role="status">
            Password changed. Every other session of this account has been signed out; this one stays signed in.
          </p>
        ) : null}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={change.busy}>
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
