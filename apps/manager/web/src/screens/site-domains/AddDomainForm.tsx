import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { addDomainRequestSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import { fieldProblems } from '../../forms/check';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import type { DomainChange } from './DomainProof';

/** Refusals that are about the hostname itself, so they belong under the field. */
const HOSTNAME_CODES: ReadonlySet<string> = new Set(['HOSTNAME_INVALID', 'HOSTNAME_CONFLICT']);

/** A hostname checked as it is typed with the server's own rule, then claimed (it is routed once control is proven). */
export function AddDomainForm({ siteId, onAdded }: { siteId: number; onAdded: (added: DomainChange) => void }): ReactNode {
  const [hostname, setHostname] = useState('');
  const adding = useAction(async (request: { hostname: string }) => {
    const added = await manager.post<DomainChange>(`/api/sites/${siteId}/domains`, request);
    setHostname('');
    onAdded(added);
  });

  const problem = hostname === '' ? undefined : fieldProblems(addDomainRequestSchema, { hostname }).hostname;
  const serverError = adding.error;
  const serverProblem =
    serverError?.issueFor('hostname') ?? (serverError && HOSTNAME_CODES.has(serverError.code) ? serverError.message : undefined);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (hostname === '' || problem) return;
    void adding.run({ hostname });
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Add a custom domain">
      <Field
        label="Custom domain"
        name="hostname"
        placeholder="www.example.org"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        value={hostname}
        onChange={(event) => {
          setHostname(event.target.value.trim());
          adding.clearError();
        }}
        error={problem ?? serverProblem}
        hint="A name you own, like www.example.org. Internationalised names are stored as punycode."
      />
      {serverProblem ? null : <ErrorNotice error={serverError} fields={['hostname']} />}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={adding.busy} disabled={hostname === '' || problem !== undefined}>
          Add domain
        </Button>
      </div>
    </form>
  );
}
