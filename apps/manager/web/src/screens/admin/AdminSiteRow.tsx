import { useState, type ReactNode } from 'react';
import { availabilitySchema } from '@dais/shared/rules';
import { Link } from '../../app/router';
import { manager } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import type { SiteStatus, SiteView } from '../../api/types';
import { DiskUsage } from '../../ui/DiskUsage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Spinner } from '../../ui/Spinner';
import { StatusDot } from '../../ui/StatusDot';
import { siteHealth } from '../sites/site-health';
import { DiskLimitEditor } from './DiskLimitEditor';
import { LimitsEditor } from './LimitsEditor';

/** Short enough for a phone; the list's note says what each one means. */
const AVAILABILITY_LABELS = { enabled: 'enabled', not_served: 'not served', disabled: 'disabled' } as const;

/** One site in the admin list: where it stands, its disk use, its availability (changed in place) and its limits. */
export function AdminSiteRow({ site, onChanged }: { site: SiteView; onChanged: (site: SiteView) => void }): ReactNode {
  const health = siteHealth(site);
  const [editingLimits, setEditingLimits] = useState(false);
  const [editingDisk, setEditingDisk] = useState(false);
  // Usage is measured by the site's host; the status carries it.
  const disk = useApi<SiteStatus>(`/api/sites/${site.id}/status`).data?.disk;
  const setAvailability = useAction(async (availability: SiteView['availability']) => {
    onChanged(await manager.patch<SiteView>(`/api/sites/${site.id}`, { availability }));
  });
  const limits = site.runtime?.limits;
  return (
    <li className="admin-row">
      <div className="admin-row-main">
        <Link to={`/sites/${site.id}`} className="admin-row-title">
          {site.name}
        </Link>
        <StatusDot tone={health.tone} label={health.label} />
        <span className="field-hint">
          {site.type} · {site.state}
          {limits ? ` · ${limits.memoryMb} MB, ${limits.cpus} CPU, ${limits.pids} processes` : ''}
          {` · disk ${site.disk.limitMb} MiB${site.disk.isDefault ? ' (default)' : ''}`}
        </span>
        {disk ? <DiskUsage usage={disk} /> : null}
      </div>
      <div className="admin-row-actions">
        <label className="filter">
          <span>Availability</span>
          <select
            value={site.availability}
            disabled={setAvailability.busy}
            onChange={(event) => void setAvailability.run(availabilitySchema.parse(event.target.value))}
          >
            {availabilitySchema.options.map((option) => (
              <option key={option} value={option}>
                {AVAILABILITY_LABELS[option]}
              </option>
            ))}
          </select>
        </label>
        {setAvailability.busy ? <Spinner label="Saving availability" /> : null}
        <button
          type="button"
          className="button button-ghost button-small"
          aria-expanded={editingDisk}
          onClick={() => setEditingDisk((open) => !open)}
        >
          {editingDisk ? 'Close disk limit' : 'Edit disk limit'}
        </button>
        {limits ? (
          <button
            type="button"
            className="button button-ghost button-small"
            aria-expanded={editingLimits}
            onClick={() => setEditingLimits((open) => !open)}
          >
            {editingLimits ? 'Close limits' : 'Edit limits'}
          </button>
        ) : null}
      </div>
      <ErrorNotice error={setAvailability.error} />
      {editingDisk ? (
        <DiskLimitEditor
          site={site}
          onSaved={(saved) => {
            onChanged(saved);
            setEditingDisk(false);
          }}
        />
      ) : null}
      {limits && editingLimits ? (
        <LimitsEditor
          siteId={site.id}
          limits={limits}
          onSaved={(saved) => {
            onChanged(saved);
            setEditingLimits(false);
          }}
        />
      ) : null}
    </li>
  );
}
