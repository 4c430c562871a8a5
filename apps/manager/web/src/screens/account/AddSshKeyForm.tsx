import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { addSshKeyRequestSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { SshKeyView } from '../../api/types';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { TextAreaField } from '../../ui/Field';

const FIELDS = ['name', 'publicKey'] as const;

/**
 * Adds a public key pasted from a `.pub` file. The manager decodes it and names what is wrong
 * (a private key, an unknown type, a key someone already has) under the field.
 */
export function AddSshKeyForm({ onAdded }: { onAdded: (key: SshKeyView) => void }): ReactNode {
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [attempted, setAttempted] = useState(false);
  const add = useAction(async () => {
    onAdded(await manager.post<SshKeyView>('/api/ssh-keys', { name, publicKey }));
    setName('');
    setPublicKey('');
    setAttempted(false);
  });
  const problems = fieldProblems(addSshKeyRequestSchema, { name, publicKey });
  const problemOf = (field: (typeof FIELDS)[number]): string | undefined =>
    (attempted ? problems[field] : undefined) ?? add.error?.issueFor(field) ?? serverKeyProblem(field);

  // SSH_KEY_TAKEN names no field; it concerns the pasted key all the same.
  function serverKeyProblem(field: string): string | undefined {
    return field === 'publicKey' && add.error?.code === 'SSH_KEY_TAKEN' ? add.error.message : undefined;
  }

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length > 0) return;
    void add.run();
  };

  const edited = (): void => add.clearError();
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add an SSH key">
      <h3>Add a key</h3>
      <Field
        label="Key name"
        placeholder="laptop"
        value={name}
        maxLength={100}
        onChange={(event) => {
          setName(event.target.value);
          edited();
        }}
        error={problemOf('name')}
      />
      <TextAreaField
        label="Public key"
        placeholder="ssh-ed25519 AAAA… you@laptop"
        rows={3}
        spellCheck={false}
        value={publicKey}
        onChange={(event) => {
          setPublicKey(event.target.value);
          edited();
        }}
        error={problemOf('publicKey')}
        hint={
          <>
            Paste one line of your <code>.pub</code> file, e.g. <code>~/.ssh/id_ed25519.pub</code> (never the private key).
          </>
        }
      />
      {add.error?.code === 'SSH_KEY_TAKEN' ? null : <ErrorNotice error={add.error} fields={FIELDS} />}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={add.busy}>
          Add key
        </Button>
      </div>
    </form>
  );
}
