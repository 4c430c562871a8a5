import { DaisError, type RouteSpec } from '@dais/shared';

/** How many offending sites or hostnames a refusal names; the rest are counted. */
const NAMED_IN_REFUSAL = 20;

/**
 * Checks a whole route state as one: each site once, each hostname routed by one site only (nginx
 * would silently serve just one of them). Linear in the number of hostnames, so 100,000 sites
 * check in milliseconds. Returns the state keyed by site id; throws VALIDATION_FAILED naming the
 * sites at fault, before anything is applied.
 */
export function routeStateOf(routes: readonly RouteSpec[]): Map<number, RouteSpec> {
  const state = new Map<number, RouteSpec>();
  const repeated = new Set<number>();
  for (const spec of routes) {
    if (state.has(spec.siteId)) repeated.add(spec.siteId);
    state.set(spec.siteId, spec);
  }
  if (repeated.size > 0) {
    const siteIds = [...repeated].sort((a, b) => a - b);
    throw new DaisError(
      'VALIDATION_FAILED',
      `The route state names ${plural(siteIds.length, 'site')} more than once: ${listed(siteIds.map(String))}. Send each site once.`,
      { reason: 'duplicate-site', siteIds: siteIds.slice(0, NAMED_IN_REFUSAL) },
    );
  }
  assertHostnamesUnique(state);
  return state;
}

function assertHostnamesUnique(state: ReadonlyMap<number, RouteSpec>): void {
  const owner = new Map<string, number>();
  const conflicts = new Map<string, Set<number>>();
  for (const [siteId, spec] of state) {
    for (const hostname of new Set(spec.hostnames)) {
      const first = owner.get(hostname);
      if (first === undefined) owner.set(hostname, siteId);
      else conflicts.set(hostname, (conflicts.get(hostname) ?? new Set([first])).add(siteId));
    }
  }
  if (conflicts.size === 0) return;
  const named = [...conflicts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hostname, siteIds]) => ({ hostname, siteIds: [...siteIds].sort((a, b) => a - b) }));
  throw new DaisError(
    'VALIDATION_FAILED',
    `${plural(named.length, 'hostname')} would be routed by more than one site: ` +
      `${listed(named.map(({ hostname, siteIds }) => `${hostname} (sites ${siteIds.join(', ')})`))}. Each hostname must belong to one site.`,
    { reason: 'hostname-conflict', conflicts: named.slice(0, NAMED_IN_REFUSAL) },
  );
}

function listed(items: string[]): string {
  const shown = items.slice(0, NAMED_IN_REFUSAL).join(', ');
  return items.length > NAMED_IN_REFUSAL ? `${shown} and ${items.length - NAMED_IN_REFUSAL} more` : shown;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
