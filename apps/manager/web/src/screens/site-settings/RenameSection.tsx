import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { checkSiteName } from '@dais/shared/rules';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useSite } from '../site/SiteFrame';
import { useSiteUpdate } from './use-site-update';

/** A new name moves the site to `<name>.<sites domain>`; the old address stops answering. */
export function RenameSection({ locked }: { locked: boolean }): ReactNode {
  const { site } = useSite();
  const [name, setName] = useState(site.name);
  const renaming = useSiteUpdate();
  const problem = name === site.name ? undefined : checkSiteName(name)?.message;
  const fieldError =
    problem ?? renaming.error?.issueFor('name') ?? (renaming.error?.code === 'SITE_NAME_TAKEN' ? renaming.error.message : undefined);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (name === site.name || problem) return;
    void renaming.run({ name });
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="rename-title">
      <h3 id="rename-title">Name</h3>
      <Field
        label="Site name"
        name="name"
        autoComplete="off"
        spellCheck={false}
        value={name}
        onChange={(event) => {
          setName(event.target.value.toLowerCase());
          renaming.clearError();
        }}
        error={fieldError}
        hint="The site moves to the new address at once; the old one stops answering. Lowercase letters, digits and hyphens; 2–32 characters."
      />
      {fieldError ? null : <ErrorNotice error={renaming.error} fields={['name']} />}
      <div className="form-actions">
        <Button type="submit" busy={renaming.busy} disabled={locked || name === site.name || problem !== undefined}>
          Rename
        </Button>
      </div>
    </form>
  );
}
