import type { ReactNode } from 'react';
import { useApi } from '../../api/use-api';
import type { SiteStatus, SiteView } from '../../api/types';
import { useLiveStream } from '../../live/live-stream';
import { DiskUsage } from '../../ui/DiskUsage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Loading } from '../../ui/Spinner';
import { StatusDot, type Tone } from '../../ui/StatusDot';

const RUN_STATES: Readonly<Record<SiteStatus['state'], { tone: Tone; label: string }>> = {
  static: { tone: 'ok', label: 'Static: served from its files' },
  running: { tone: 'ok', label: 'Running' },
  starting: { tone: 'busy', label: 'Starting' },
  crashed: { tone: 'bad', label: 'Crashed' },
  stopped: { tone: 'off', label: 'Stopped' },
  not_served: { tone: 'off', label: 'Not served' },
  missing: { tone: 'bad', label: 'Not set up on the server' },
};

/**
 * What the site is doing now: read once, then kept live by the status stream (the orchestrator
 * sends it at once and on every change). A crash shows its exit code and last output.
 */
export function SiteStatusPanel({ site }: { site: SiteView }): ReactNode {
  const status = useApi<SiteStatus>(`/api/sites/${site.id}/status`);
  useLiveStream(
    { kind: 'status', siteId: site.id },
    {
      onMessage: (message) => {
        if (message.type === 'status') status.set(message.status);
      },
    },
  );
  const image = status.data?.image ?? site.runtime?.builtImage ?? site.runtime?.image ?? null;

  return (
    <section className="card site-status" aria-labelledby="site-status-title">
      <h2 id="site-status-title">Status</h2>
      {status.data ? (
        <RunState status={status.data} settingUp={site.state === 'provisioning'} />
      ) : status.loading ? (
        <Loading what="the status" />
      ) : null}
      <ErrorNotice error={status.error} />
      <dl className="facts">
        <dt>Address</dt>
        <dd>
          <a href={site.url} target="_blank" rel="noreferrer noopener">
            {site.url}
          </a>
        </dd>
        <dt>Type</dt>
        <dd>{site.type === 'dynamic' ? 'Dynamic (runs a program)' : 'Static (files only)'}</dd>
        {image ? (
          <>
            <dt>Image</dt>
            <dd className="mono">{image}</dd>
          </>
        ) : null}
        {status.data?.startedAt ? (
          <>
            <dt>Started</dt>
            <dd>{new Date(status.data.startedAt).toLocaleString()}</dd>
          </>
        ) : null}
        {status.data?.disk ? (
          <>
            <dt>Disk</dt>
            <dd>
              <DiskUsage usage={status.data.disk} />
            </dd>
          </>
        ) : null}
        {status.data && status.data.restarts > 0 ? (
          <>
            <dt>Restarts</dt>
            <dd>{status.data.restarts}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** While the site is being created the orchestrator does not know it yet: that is not a fault. */
const SETTING_UP = { tone: 'busy', label: 'Being set up' } as const;

function RunState({ status, settingUp }: { status: SiteStatus; settingUp: boolean }): ReactNode {
  const shown = settingUp && status.state === 'missing' ? SETTING_UP : RUN_STATES[status.state];
  return (
    <div className="run-state" data-run-state={status.state}>
      <StatusDot tone={shown.tone} label={shown.label} />
      {status.state === 'crashed' && status.exitCode !== null ? <span> with exit code {status.exitCode}</span> : null}
      {status.message ? <pre className="run-state-message">{status.message}</pre> : null}
    </div>
  );
}
