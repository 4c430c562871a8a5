import type { SiteDiskUsage, SiteSpec, SiteStatus } from '@dais/shared';
import type { RuntimeObservation } from './runtime-driver';

/** What the orchestrator sees of a site besides its desired state. */
export interface ObservedSite {
  observed: RuntimeObservation | null;
  hasRunScript: boolean;
  disk: SiteDiskUsage | null;
}

/** What the owner sees: the desired state explains most states; the runtime the rest. */
export function composeStatus(spec: SiteSpec | undefined, siteId: number, { observed, hasRunScript, disk }: ObservedSite): SiteStatus {
  const base: SiteStatus = {
    siteId,
    state: 'missing',
    exitCode: null,
    message: null,
    restarts: 0,
    endpoints: [],
    image: null,
    startedAt: null,
    disk,
  };
  if (!spec) return { ...base, message: 'This orchestrator does not hold this site.' };
  if (spec.availability !== 'enabled')
    return { ...base, state: 'not_served', message: `The site is ${spec.availability.replace('_', ' ')}.` };
  if (spec.type === 'static' || !spec.runtime) return { ...base, state: 'static' };
  if (spec.runtime.stopped) return { ...base, state: 'stopped', image: spec.runtime.image, message: 'Stopped by its owner.' };
  if (!observed || observed.state === 'missing') {
    return { ...base, state: 'starting', image: spec.runtime.image, message: 'The container is being created.' };
  }
  const status: SiteStatus = {
    ...base,
    state: observed.state,
    exitCode: observed.exitCode,
    restarts: observed.restarts,
    endpoints: observed.endpoints,
    image: observed.image,
    startedAt: observed.startedAt,
  };
  if (observed.state === 'crashed') status.message = crashMessage(observed, hasRunScript);
  else if (observed.state === 'starting') status.message = 'Started; waiting for it to accept connections on $PORT.';
  return status;
}

function crashMessage(observed: RuntimeObservation, hasRunScript: boolean): string {
  const what = hasRunScript ? 'run.sh' : "The image's command (the site has no run.sh)";
  const restarts = observed.restarts > 0 ? ` after ${observed.restarts} restart${observed.restarts === 1 ? '' : 's'}` : '';
  const tail = observed.logTail ? ` Last output:\n${observed.logTail}` : '';
  return `${what} exited with code ${observed.exitCode ?? '?'}${restarts}. It is not restarted again until you fix it and restart the site.${tail}`;
}
