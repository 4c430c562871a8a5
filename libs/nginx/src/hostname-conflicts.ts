import { DaisError } from '@dais/shared';

/** Anything that claims hostnames. */
interface HasHostnames {
  hostnames: readonly string[];
}

/**
 * Refuses a site whose hostnames another site already answers on: nginx would serve only one of
 * them, silently. The manager keeps domains unique; this is the tier's own guard.
 */
export function assertNoHostnameConflict<V extends HasHostnames>(siteId: number, value: V, state: ReadonlyMap<number, V>): void {
  const wanted = new Set(value.hostnames);
  for (const [otherId, other] of state) {
    if (otherId === siteId) continue;
    const taken = other.hostnames.find((hostname) => wanted.has(hostname));
    if (taken)
      throw new DaisError('HOSTNAME_CONFLICT', `${taken} already belongs to site ${otherId}.`, { hostname: taken, siteId: otherId });
  }
}
