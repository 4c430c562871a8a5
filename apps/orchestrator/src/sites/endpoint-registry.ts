import type { SiteSpec } from '@dais/shared';
import type { SiteRuntimeDriver } from './runtime-driver';

/** How many sites' containers are looked at together when an orchestrator starts. */
const OBSERVE_BATCH = 16;

/**
 * The `ip:port` addresses each dynamic site's running containers answer on, as last observed.
 * This is observed state, not desired state: it is never saved, only re-observed.
 */
export class EndpointRegistry {
  private readonly endpoints = new Map<number, readonly string[]>();

  /** The site's endpoints (empty when none run). */
  of(siteId: number): readonly string[] {
    return this.endpoints.get(siteId) ?? [];
  }

  /** Records the site's endpoints; true if they differ from before (nginx must be told). */
  update(siteId: number, endpoints: readonly string[]): boolean {
    const sorted = [...endpoints].sort();
    const before = this.of(siteId);
    if (before.length === sorted.length && before.every((endpoint, index) => endpoint === sorted[index])) return false;
    if (sorted.length === 0) this.endpoints.delete(siteId);
    else this.endpoints.set(siteId, sorted);
    return true;
  }

  /** Forgets a site. */
  forget(siteId: number): boolean {
    return this.endpoints.delete(siteId);
  }
}

/**
 * Records the endpoints the runtime has for each dynamic site: at an orchestrator's start, before
 * its first nginx render. A site whose containers cannot be looked at now keeps none; the
 * reconciler looks again.
 */
export async function observeRunningEndpoints(
  specs: Iterable<SiteSpec>,
  runtime: Pick<SiteRuntimeDriver, 'observe'>,
  registry: EndpointRegistry,
): Promise<void> {
  const dynamic = [...specs].filter((spec) => spec.type === 'dynamic');
  for (let start = 0; start < dynamic.length; start += OBSERVE_BATCH) {
    await Promise.all(
      dynamic.slice(start, start + OBSERVE_BATCH).map(async (spec) => {
        const observed = await runtime.observe(spec.id).catch(() => null);
        if (observed) registry.update(spec.id, observed.endpoints);
      }),
    );
  }
}
