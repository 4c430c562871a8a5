import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { changePasswordRequestSchema } from '@dais/shared/rules';
import { useAccount } from '../../app/auth';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { CheckboxField, Field } from '../../ui/Field';

const FIELDS = ['currentPassword', 'newPassword', 'repeat'] as const;

/**
 * Changes one's own password. The server's own schema checks it as the person types (once a field
 * has something in it). By default the server also ends everything else the account has open
 * (other sessions, API tokens, SSH sessions), as someone changing a leaked password wants; the
 * person may keep them.
 */
export function ChangePasswordForm(): ReactNode {
  const account = useAccount();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [endOtherSessions, setEndOtherSessions] = useState(true);
  const [done, setDone] = useState<'ended' | 'kept' | null>(null);
  const change = useAction(() => manager.post('/api/auth/password', { currentPassword, newPassword, endOtherSessions }));

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
    setDone(null);
  };

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length > 0) return;
    if (await change.run()) {
      setDone(endOtherSessions ? 'ended' : 'kept');
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
        <CheckboxField
          label="Sign out everywhere else"
          checked={endOtherSessions}
          onChange={(event) => setEndOtherSessions(event.target.checked)}
          hint="Ends this account's other browser sessions and SSH sessions and revokes its API tokens; this session stays signed in."
        />
        <ErrorNotice error={change.error} fields={FIELDS} />
        {done ? (
          <p className="notice notice-ok" role="status">
            {done === 'ended'
              ? 'Password changed. Every other session of this account has been signed out and its API tokens revoked; this one stays signed in.'
              : 'Password changed. Your other sessions and API tokens keep working.'}
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
