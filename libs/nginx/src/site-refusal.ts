import { DaisError, isDaisError } from '@dais/shared';
import type { RefusedLine } from './config-pipeline';

/** What a site's refused change holds, to name the culprit for its owner. */
export interface RefusedSite {
  /** Whose log holds nginx's own message. */
  component: 'orchestrator' | 'router';
  siteId: number;
  hostnames: readonly string[];
  /** The hostnames before this change: a new one is the first suspect. */
  previousHostnames: readonly string[];
  /** The site's snippet as rendered (orchestrator only). */
  snippetLines?: readonly string[];
  clientMaxBodyMb?: number;
}

/** Where nginx's own refusal text goes: the component log, never the site's owner. */
export interface RefusalLog {
  warn(details: object, message: string): void;
}

/** The part of a site's change nginx refused. */
type Culprit = { kind: 'hostname'; hostname: string } | { kind: 'snippet'; line: number } | { kind: 'body-limit' } | { kind: 'unknown' };

/**
 * Turns nginx's refusal of one site's change into an error its owner can act on: it names the
 * hostname or setting at fault and what to do, and never repeats nginx's own text, which goes to
 * `log` (and stays in `details.nginxOutput`). A failed reload is not the site's fault and says
 * so. Other errors pass through unchanged.
 */
export function explainSiteRefusal(site: RefusedSite, error: unknown, log: RefusalLog): unknown {
  if (isDaisError(error, 'NGINX_CONFIG_REJECTED') || isDaisError(error, 'NGINX_RELOAD_FAILED')) {
    log.warn({ siteId: site.siteId, code: error.code, nginx: error.details?.nginxOutput }, 'nginx refused a site change');
  }
  if (isDaisError(error, 'NGINX_RELOAD_FAILED')) {
    return new DaisError(
      'NGINX_RELOAD_FAILED',
      `The web server could not switch to the new configuration of site ${site.siteId}; the previous one is still serving. ` +
        `This is retried automatically; if it keeps failing, an administrator can find nginx's reason in the ${site.component} log.`,
      error.details,
      { cause: error },
    );
  }
  if (!isDaisError(error, 'NGINX_CONFIG_REJECTED')) return error;
  const culprit = culpritOf(site, error.details?.nginxOutput, error.details?.refusedLine as RefusedLine | undefined);
  const text = ownerMessage(site, culprit);
  return new DaisError('NGINX_CONFIG_REJECTED', text, { ...error.details, culprit }, { cause: error });
}

function ownerMessage(site: RefusedSite, culprit: Culprit): string {
  const refused = `Site ${site.siteId} could not be published: nginx refused`;
  const reason = `nginx's reason is in the ${site.component} log`;
  switch (culprit.kind) {
    case 'hostname':
      return `${refused} the hostname ${culprit.hostname}. Remove it from the site (or replace it), then retry the operation; a valid name should never be refused, so please tell an administrator (${reason}).`;
    case 'snippet':
      return `${refused} line ${culprit.line} of the site's custom nginx snippet. An administrator must correct or remove the snippet, then retry (${reason}).`;
    case 'body-limit':
      return `${refused} the site's request-body limit (${site.clientMaxBodyMb ?? '?'} MB). An administrator must change it, then retry (${reason}).`;
    case 'unknown':
      return `${refused} its new configuration. Retry the operation; if it fails again, tell an administrator (${reason}).`;
  }
}

function culpritOf(site: RefusedSite, output: unknown, refused: RefusedLine | undefined): Culprit {
  const added = site.hostnames.filter((hostname) => !site.previousHostnames.includes(hostname));
  const suspects = [...added, ...site.hostnames.filter((hostname) => !added.includes(hostname))];
  if (refused) {
    const text = refused.text.trim();
    const hostname = [...suspects]
      .sort((a, b) => b.length - a.length)
      .find((name) => new RegExp(`(^|[\\s"])${escape(name)}([\\s";]|$)`).test(text));
    if (hostname) return { kind: 'hostname', hostname };
    const line = site.snippetLines?.findIndex((snippetLine) => snippetLine.trim() === text) ?? -1;
    if (line !== -1) return { kind: 'snippet', line: line + 1 };
    if (text.startsWith('client_max_body_size') && site.clientMaxBodyMb !== undefined) return { kind: 'body-limit' };
  }
  // Hash errors name no line; they come from the longest name (see hashSizing).
  if (typeof output === 'string' && /_hash/.test(output)) {
    const longest = [...suspects].sort((a, b) => b.length - a.length)[0];
    if (longest) return { kind: 'hostname', hostname: longest };
  }
  return { kind: 'unknown' };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
