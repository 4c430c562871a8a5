import type { DaisError } from '@dais/shared';

/** One-line messages a person sees in their terminal; each ends the session it is shown in. */
export const MESSAGES = {
  noSites: 'You have no sites yet: create one in the dashboard, or ask a site owner to add you.',
  nameTheSite: 'You have several sites: name one, as in ssh you+site@host (this command cannot show the menu).',
  oneSessionPerConnection: 'One session per connection: connect again for another.',
  menuTimeout: 'No site chosen in time; goodbye.',
} as const;

/** Told before a session that runs beside a stopped site instead of inside it. */
export function standInNotice(site: string): string {
  return `${site} is not running: this session is in a stand-in container with the site's files. Start the site in the dashboard to reach its processes.`;
}

/** Says why a session in `site` could not open or ended early, in one line. */
export function sessionFailureMessage(error: DaisError, site: string): string {
  const reason = firstLine(error.message);
  if (error.code === 'SHELL_TOKEN_EXPIRED')
    return `Your sign-in for ${site} expired before the session opened; connect again and choose sooner.`;
  if (error.code === 'SHELL_TOKEN_INVALID') return `The host of ${site} refused this sign-in (${reason}); connect again.`;
  if (error.code === 'SITE_NOT_RUNNING') return `${site} is not running: start it in the dashboard, then connect again. (${reason})`;
  if (error.code === 'PEER_UNAVAILABLE') return `${site}: ${reason} Try again in a minute.`;
  return `${site}: ${reason}`;
}

function firstLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return (text.split('\n', 1)[0] ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/gu, '').slice(0, 300);
}
