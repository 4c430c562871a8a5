import type { ReactNode } from 'react';
import type { SiteStatus } from '../api/types';
import { formatBytes } from './format';

/** Usage at or past this share of the limit shows as full: writes fail soon or already do. */
const FULL_AT = 0.98;

/** A site's disk usage: a bar and "3.2 MB of 1 GB used" (a site may hold slightly more than its limit). */
export function DiskUsage({ usage }: { usage: NonNullable<SiteStatus['disk']> }): ReactNode {
  const limit = Math.max(usage.limitBytes, 1);
  const full = usage.usedBytes >= limit * FULL_AT;
  return (
    <span className="disk-usage" data-full={full || undefined}>
      <meter
        min={0}
        max={limit}
        low={limit * 0.8}
        high={limit * 0.95}
        optimum={0}
        value={Math.min(usage.usedBytes, limit)}
        aria-label="Disk used"
      />
      <span>
        {formatBytes(usage.usedBytes)} of {formatBytes(usage.limitBytes)} used
        {full ? ' — full: delete files, or ask an admin to raise the limit' : ''}
      </span>
    </span>
  );
}
