import { z } from 'zod';
import { checkNginxSnippet, siteSpecSchema } from '@dais/shared';
import type { RefusalLog } from '@dais/nginx';

/**
 * A site's spec as the orchestrator reads it back from disk at start. One saved before snippets
 * were checked may hold a snippet that is refused now: the site is served without it (and the log
 * says why) rather than the whole spec being skipped, which would take the site offline. The
 * manager's next change of the site is refused with the line at fault, for an admin to fix.
 */
export function storedSiteSpecSchema(log: RefusalLog) {
  return z.preprocess((value) => {
    const stored = value as { id?: unknown; nginx?: { snippet?: unknown } } | null;
    const snippet = stored?.nginx?.snippet;
    if (typeof snippet !== 'string') return value;
    const check = checkNginxSnippet(snippet);
    if (check.ok) return value;
    log.warn({ siteId: stored?.id, snippet: check.message }, 'a saved nginx snippet is refused now; the site is served without it');
    const { snippet: _refused, ...nginx } = stored?.nginx ?? {};
    return { ...stored, nginx };
  }, siteSpecSchema);
}
