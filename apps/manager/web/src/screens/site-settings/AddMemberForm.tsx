import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { addMemberRequestSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { SiteMemberView } from '../../api/types';
import { useAccount } from '../../app/auth';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/** Refusals about the person named (nobody by that, already a member), so they belong under the field. */
const PERSON_CODES: ReadonlySet<string> = new Set(['USER_NOT_FOUND', 'MEMBER_EXISTS']);

type AddMember = { email: string } | { username: string };

/**
 * Adds an existing user, named by the e-mail address of their account: people who are not admins
 * are never told which usernames exist. Admins may also type a username. Checked with the server's
 * own rule as it is typed.
 */
export function AddMemberForm({ siteId, onAdded }: { siteId: number; onAdded: (member: SiteMemberView) => void }): ReactNode {
  const admin = useAccount().role === 'admin';
  const [person, setPerson] = useState('');
  const adding = useAction(async (request: AddMember) => {
    onAdded(await manager.post<SiteMemberView>(`/api/sites/${siteId}/members`, request));
    setPerson('');
  });
  const request: AddMember = admin && !person.includes('@') ? { username: person } : { email: person };
  const problems = person === '' ? {} : fieldProblems(addMemberRequestSchema, request);
  const problem = problems.email ?? problems.username;
  const error = adding.error;
  const refusal = error && PERSON_CODES.has(error.code) ? error.message : (error?.issueFor('email') ?? error?.issueFor('username'));
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (person === '' || problem) return;
    void adding.run(request);
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a member">
      <Field
        label={admin ? 'Add a member by username or e-mail address' : 'Add a member by e-mail address'}
        name="person"
        type={admin ? 'text' : 'email'}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        value={person}
        onChange={(event) => {
          setPerson(event.target.value.trim());
          adding.clearError();
        }}
        error={problem ?? refusal}
        hint={admin ? undefined : 'The address of their Dais account, as shown on their account page.'}
      />
      {refusal ? null : <ErrorNotice error={adding.error} fields={['email', 'username']} />}
      <div className="form-actions">
        <Button type="submit" busy={adding.busy} disabled={person === '' || problem !== undefined}>
          Add member
        </Button>
      </div>
    </form>
  );
}
