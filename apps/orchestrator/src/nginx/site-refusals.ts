import { checkNginxSnippet, type SiteSpec } from '@dais/shared';
import { explainSiteRefusal, type RefusalLog } from '@dais/nginx';

/** Explains nginx's refusal of a site's spec to its owner; nginx's own message goes to `log`. */
export function siteRefusals(log: RefusalLog) {
  return (siteId: number, spec: SiteSpec | null, previous: SiteSpec | undefined, error: unknown): unknown => {
    const snippet = spec?.nginx.snippet === undefined ? undefined : checkNginxSnippet(spec.nginx.snippet);
    const site = {
      component: 'orchestrator' as const,
      siteId,
      hostnames: spec?.hostnames ?? [],
      previousHostnames: previous?.hostnames ?? [],
      ...(snippet?.ok ? { snippetLines: snippet.lines } : {}),
      ...(spec?.nginx.clientMaxBodyMb === undefined ? {} : { clientMaxBodyMb: spec.nginx.clientMaxBodyMb }),
    };
    return explainSiteRefusal(site, error, log);
  };
}
