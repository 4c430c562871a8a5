import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { createUserRequestSchema, roleSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { UserView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

const FIELDS = ['username', 'displayName', 'email', 'role', 'password'] as const;
type Role = UserView['role'];

/** A new account with a first password the admin hands over (the person changes it on their account page). */
export function CreateUserForm({ onCreated }: { onCreated: (user: UserView) => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [password, setPassword] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [createdName, setCreatedName] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const request = { username, displayName, role, password, ...(email === '' ? {} : { email }) };
  const problems = fieldProblems(createUserRequestSchema, request);
  const create = useAction(async () => {
    const user = await manager.post<UserView>('/api/users', request);
    onCreated(user);
    setCreatedName(user.username);
    setUsername('');
    setDisplayName('');
    setEmail('');
    setPassword('');
    setRole('user');
    setAttempted(false);
    // Folded away again, so the list with the new account is what the admin sees next.
    setOpen(false);
  });
  const problemOf = (field: (typeof FIELDS)[number]): string | undefined =>
    (attempted ? problems[field] : undefined) ?? create.error?.issueFor(field);

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    setCreatedName(null);
    if (Object.keys(problems).length === 0) void create.run();
  };

  return (
    <>
      {createdName ? (
        <p className="notice notice-ok" role="status">
          User {createdName} created.
        </p>
      ) : null}
      <details className="card admin-create" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Create a user</summary>
        <form className="form narrow" onSubmit={submit} noValidate aria-label="Create a user">
          <Field
            label="New username"
            autoComplete="off"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            error={problemOf('username')}
            hint="Lowercase letters, digits, _ and -; it never changes."
          />
          <Field
            label="Display name"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            error={problemOf('displayName')}
          />
          <Field
            label="E-mail address (optional)"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            error={problemOf('email')}
            hint="Site owners add the person to their sites by it; they can also set it themselves."
          />
          <div className="field">
            <label htmlFor="new-user-role">Role</label>
            <select id="new-user-role" value={role} onChange={(event) => setRole(roleSchema.parse(event.target.value))}>
              <option value="user">User — sees the sites they are a member of</option>
              <option value="admin">Admin — sees and changes everything</option>
            </select>
          </div>
          <Field
            label="First password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={problemOf('password')}
            hint="At least 10 characters. Hand it over privately."
          />
          <ErrorNotice error={create.error} fields={FIELDS} />
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={create.busy}>
              Create user
            </Button>
          </div>
        </form>
      </details>
    </>
  );
}
