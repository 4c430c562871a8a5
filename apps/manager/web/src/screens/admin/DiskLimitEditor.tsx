import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { DISK_LIMIT_BOUNDS, diskLimitMbSchema } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { SiteView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/** A site's disk limit in MiB, or back to the admin default; checked against the server's bounds before sending. */
export function DiskLimitEditor({ site, onSaved }: { site: SiteView; onSaved: (site: SiteView) => void }): ReactNode {
  const [typed, setTyped] = useState(String(site.disk.limitMb));
  const wanted = Number(typed);
  const checked = diskLimitMbSchema.safeParse(wanted);
  const problem = checked.success ? undefined : checked.error.issues[0]?.message;
  const save = useAction(async (diskLimitMb: number | null) =>
    onSaved(await manager.patch<SiteView>(`/api/sites/${site.id}`, { diskLimitMb })),
  );

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (!problem) void save.run(wanted);
  };

  return (
    <form className="form inline-form" onSubmit={submit} noValidate aria-label="Disk limit">
      <Field
        label="Disk limit (MiB)"
        type="number"
        inputMode="numeric"
        step="1"
        min={DISK_LIMIT_BOUNDS.min}
        max={DISK_LIMIT_BOUNDS.max}
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        hint={`${DISK_LIMIT_BOUNDS.min} to ${DISK_LIMIT_BOUNDS.max}; ${site.disk.isDefault ? 'now the default' : 'set for this site'}. Lower than what the site stores is refused.`}
        error={problem ?? save.error?.issueFor('diskLimitMb')}
      />
      <ErrorNotice error={save.error} fields={['diskLimitMb']} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={save.busy} disabled={problem !== undefined}>
          Save disk limit
        </Button>
        {site.disk.isDefault ? null : (
          <Button type="button" variant="ghost" busy={save.busy} onClick={() => void save.run(null)}>
            Use the default
          </Button>
        )}
      </div>
    </form>
  );
}
