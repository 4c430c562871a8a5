import { useState, type ReactNode, type SyntheticEvent } from 'react';
import type { SiteView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useSite } from '../site/SiteFrame';
import { useSiteUpdate } from './use-site-update';

type Availability = SiteView['availability'];

const CHOICES: readonly { value: Availability; label: string }[] = [
  { value: 'enabled', label: 'Enabled — served to visitors' },
  { value: 'not_served', label: 'Not served — visitors get a 503 page; members keep working on it' },
  { value: 'disabled', label: 'Disabled — a 503 page, and its members are locked out until an admin enables it' },
];

/** Whether visitors get the site, and whether its members may still change it. */
export function AvailabilityForm(): ReactNode {
  const { site } = useSite();
  const [availability, setAvailability] = useState<Availability>(site.availability);
  const saving = useSiteUpdate();
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void saving.run({ availability });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Availability">
      <fieldset className="choice">
        <legend>Availability</legend>
        {CHOICES.map((choice) => (
          <label key={choice.value}>
            <input
              type="radio"
              name="availability"
              value={choice.value}
              checked={availability === choice.value}
              onChange={() => setAvailability(choice.value)}
            />{' '}
            {choice.label}
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={saving.error} fields={[]} />
      <div className="form-actions">
        <Button type="submit" busy={saving.busy} disabled={availability === site.availability}>
          Save availability
        </Button>
      </div>
    </form>
  );
}
