import type { SiteView } from '../../api/types';
import type { Tone } from '../../ui/StatusDot';

/**
 * One word (and a colour) for where a site is: what the list's dots and the site page's header say.
 * An operation in progress wins, then failures, then what an admin set, then whether it runs.
 */
export function siteHealth(site: SiteView): { tone: Tone; label: string } {
  const operation = site.operation;
  if (site.state === 'deleting') return { tone: 'busy', label: 'Deleting' };
  if (operation && (operation.state === 'running' || operation.state === 'pending')) {
    const step = operation.steps.find((candidate) => candidate.state === 'running' || candidate.state === 'retrying');
    return { tone: 'busy', label: step ? `Working: ${step.title}` : 'Queued' };
  }
  if (site.state === 'provisioning') return { tone: 'busy', label: 'Provisioning' };
  if (site.state === 'failed' || operation?.state === 'failed') return { tone: 'bad', label: 'Needs attention' };
  if (site.availability === 'disabled') return { tone: 'off', label: 'Disabled by an admin' };
  if (site.availability === 'not_served') return { tone: 'off', label: 'Not served' };
  if (site.runtime?.stopped) return { tone: 'off', label: 'Stopped' };
  return { tone: 'ok', label: 'Live' };
}
