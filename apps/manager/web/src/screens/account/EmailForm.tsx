import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { updateAccountRequestSchema } from '@dais/shared/rules';
import { useAccount, useAuth } from '../../app/auth';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { UserView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/**
 * One's own e-mail address: how other site owners name this person to add them to a site (they
 * are never shown usernames they do not already know). Only the person and admins see it.
 */
export function EmailForm(): ReactNode {
  const account = useAccount();
  const { refresh } = useAuth();
  const [email, setEmail] = useState(account.email ?? '');
  /** What was last saved (null: the address was removed), to say so; undefined until then. */
  const [saved, setSaved] = useState<string | null | undefined>(undefined);
  const save = useAction(async (next: string | null) => {
    const user = await manager.patch<UserView>('/api/auth/me', { email: next });
    setEmail(user.email ?? '');
    setSaved(user.email);
    await refresh();
  });
  const problem = email === '' ? undefined : fieldProblems(updateAccountRequestSchema, { email }).email;

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (email === '' || problem) return;
    void save.run(email);
  };

  return (
    <section className="card account-section" aria-labelledby="email-title">
      <h2 id="email-title">E-mail address</h2>
      <form className="form inline-form" onSubmit={submit} noValidate aria-label="E-mail address">
        <Field
          label="Your e-mail address"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setSaved(undefined);
            save.clearError();
          }}
          error={problem ?? save.error?.issueFor('email')}
          hint="Site owners add you to their sites by this address. Only you and admins see it."
        />
        <Button type="submit" variant="primary" busy={save.busy} disabled={email === '' || problem !== undefined}>
          Save address
        </Button>
        {account.email ? (
          <Button variant="ghost" busy={save.busy} onClick={() => void save.run(null)}>
            Remove address
          </Button>
        ) : null}
        <ErrorNotice error={save.error} fields={['email']} />
      </form>
      {saved !== undefined ? (
        <p className="notice notice-ok" role="status">
          {saved ? `Saved: site owners can add you by ${saved}.` : 'Removed: nobody can add you to a site by an address now.'}
        </p>
      ) : null}
    </section>
  );
}
