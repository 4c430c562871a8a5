import {
  KeyedLock,
  routeStateDigest,
  type RoutesApplied,
  type RoutesRemoved,
  type RouteSpec,
  type RouteStateApplied,
  type RouteSummary,
} from '@dais/shared';
import type { DesiredStateTable } from '@dais/nginx';
import { routeStateOf } from './route-state';

/** Told once a route change is live (the certificate manager follows routes this way). */
export interface RouteListener {
  routeApplied(spec: RouteSpec): Promise<void>;
  routeRemoved(siteId: number): Promise<void>;
}

/** Keeps the edge's routes equal to what the manager asked for, one site at a time or all at once. */
export class RouteService {
  private readonly locks = new KeyedLock<number>();

  constructor(
    private readonly table: DesiredStateTable<RouteSpec>,
    private readonly listener?: RouteListener,
  ) {}

  /** Routes every hostname of the site to the orchestrator pool. Safe to repeat. */
  apply(spec: RouteSpec): Promise<RoutesApplied> {
    return this.locks.run(spec.siteId, async () => {
      const nginxGeneration = await this.table.set(spec.siteId, spec);
      await this.listener?.routeApplied(spec);
      return { siteId: spec.siteId, hostnames: spec.hostnames, nginxGeneration };
    });
  }

  /** Stops routing the site's hostnames. Removing an unknown site is not an error. */
  remove(siteId: number): Promise<RoutesRemoved> {
    return this.locks.run(siteId, async () => {
      if (this.table.get(siteId) === undefined) return { siteId, removed: false, nginxGeneration: this.table.generation };
      const nginxGeneration = await this.table.set(siteId, null);
      await this.listener?.routeRemoved(siteId);
      return { siteId, removed: true, nginxGeneration };
    });
  }

  /**
   * Replaces every route with `routes` in one nginx apply (refused as a whole, with nothing
   * applied, if a site appears twice or a hostname is routed by two sites), then tells the
   * listener about each site that was added, removed or changed.
   */
  async replaceAll(routes: readonly RouteSpec[]): Promise<RouteStateApplied> {
    const replaced = await this.table.replaceAll(routeStateOf(routes));
    await this.notifyCurrent([...replaced.added, ...replaced.changed, ...replaced.removed]);
    return {
      sites: this.table.state.size,
      added: replaced.added.length,
      removed: replaced.removed.length,
      changed: replaced.changed.length,
      nginxGeneration: replaced.generation,
      digest: routeStateDigest(this.table.state.values()),
    };
  }

  /** How many sites are routed, and a digest of their routes that any holder of the same state computes alike. */
  summary(): RouteSummary {
    return { sites: this.table.state.size, digest: routeStateDigest(this.table.state.values()) };
  }

  /**
   * Tells the listener what each site's route is now, under the site's lock: a per-site change
   * that raced the replacement either ran before (and the current value is the replacement's) or
   * holds the lock until it has told the listener itself, so the listener ends on the table's value.
   */
  private async notifyCurrent(siteIds: readonly number[]): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    await Promise.all(
      siteIds.map((siteId) =>
        this.locks.run(siteId, () => {
          const current = this.table.get(siteId);
          return current ? listener.routeApplied(current) : listener.routeRemoved(siteId);
        }),
      ),
    );
  }

  /** Number of sites routed. */
  get count(): number {
    return this.table.state.size;
  }

  /** Generation serving the current routes. */
  get generation(): number {
    return this.table.generation;
  }
}
