import type { RouteSpec } from '@dais/shared';
import { explainSiteRefusal, type RefusalLog } from '@dais/nginx';

/** Explains nginx's refusal of a site's routes to its owner; nginx's own message goes to `log`. */
export function routeRefusals(log: RefusalLog) {
  return (siteId: number, route: RouteSpec | null, previous: RouteSpec | undefined, error: unknown): unknown => {
    const site = {
      component: 'router' as const,
      siteId,
      hostnames: route?.hostnames ?? [],
      previousHostnames: previous?.hostnames ?? [],
      ...(route?.clientMaxBodyMb === undefined ? {} : { clientMaxBodyMb: route.clientMaxBodyMb }),
    };
    return explainSiteRefusal(site, error, log);
  };
}
