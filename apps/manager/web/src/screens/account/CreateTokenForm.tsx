import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { createTokenRequestSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { CreatedTokenView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/** Names and creates a token; the parent shows the secret once. */
export function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedTokenView) => void }): ReactNode {
  const [name, setName] = useState('');
  const [attempted, setAttempted] = useState(false);
  const create = useAction(async () => {
    onCreated(await manager.post<CreatedTokenView>('/api/tokens', { name }));
    setName('');
    setAttempted(false);
  });
  const problem = attempted ? fieldProblems(createTokenRequestSchema, { name }).name : undefined;

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    if (fieldProblems(createTokenRequestSchema, { name }).name) return;
    void create.run();
  };

  return (
    <form className="form inline-form" onSubmit={submit} noValidate aria-label="Create an API token">
      <Field
        label="Token name"
        placeholder="deploy script"
        value={name}
        maxLength={100}
        onChange={(event) => {
          setName(event.target.value);
          create.clearError();
        }}
        error={problem ?? create.error?.issueFor('name')}
      />
      <Button type="submit" variant="primary" busy={create.busy}>
        Create token
      </Button>
      <ErrorNotice error={create.error} fields={['name']} />
    </form>
  );
}
