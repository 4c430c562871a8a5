import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useSite } from '../site/SiteFrame';
import { useSiteUpdate } from './use-site-update';

const DESCRIPTION_MAX = 500;

/** The description only the manager keeps: saved at once, no operation. */
export function DescriptionSection({ locked }: { locked: boolean }): ReactNode {
  const { site } = useSite();
  const [description, setDescription] = useState(site.description);
  const [saved, setSaved] = useState(false);
  const saving = useSiteUpdate();
  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setSaved(await saving.run({ description }));
  };
  return (
    <form className="card form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="description-title">
      <h3 id="description-title">Description</h3>
      <Field
        label="Description"
        name="description"
        value={description}
        maxLength={DESCRIPTION_MAX}
        onChange={(event) => {
          setDescription(event.target.value);
          setSaved(false);
        }}
        error={saving.error?.issueFor('description')}
        hint={`Shown in the site list. At most ${DESCRIPTION_MAX} characters.`}
      />
      <ErrorNotice error={saving.error} fields={['description']} />
      <div className="form-actions">
        {saved ? (
          <span role="status" className="field-hint">
            Saved.
          </span>
        ) : null}
        <Button type="submit" busy={saving.busy} disabled={locked || description === site.description}>
          Save description
        </Button>
      </div>
    </form>
  );
}
