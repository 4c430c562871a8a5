import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { addMemberRequestSchema } from '@dais/rules/contracts/site-management';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { SiteMemberView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/** Refusals about the username itself (no such user, already a member), so they belong under the field. */
const USERNAME_CODES: ReadonlySet<string> = new Set(['USER_NOT_FOUND', 'MEMBER_EXISTS']);

/** Adds an existing user by username (checked with the server's username rule as it is typed). */
export function AddMemberForm({ siteId, onAdded }: { siteId: number; onAdded: (member: SiteMemberView) => void }): ReactNode {
  const [username, setUsername] = useState('');
  const adding = useAction(async (request: { username: string }) => {
    onAdded(await manager.post<SiteMemberView>(`/api/sites/${siteId}/members`, request));
    setUsername('');
  });
  const problem = username === '' ? undefined : fieldProblems(addMemberRequestSchema, { username }).username;
  const error = adding.error;
  const refusal = error?.issueFor('username') ?? (error && USERNAME_CODES.has(error.code) ? error.message : undefined);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (username === '' || problem) return;
    void adding.run({ username });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a member">
      <Field
        label="Add a member by username"
        name="username"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        value={username}
        onChange={(event) => {
          setUsername(event.target.value.trim());
          adding.clearError();
        }}
        error={problem ?? refusal}
      />
      {refusal ? null : <ErrorNotice error={adding.error} fields={['username']} />}
      <div className="form-actions">
        <Button type="submit" busy={adding.busy} disabled={username === '' || problem !== undefined}>
          Add member
        </Button>
      </div>
    </form>
  );
}
