import { KeyedLock, type RoutesApplied, type RoutesRemoved, type RouteSpec } from '@dais/shared';
import type { DesiredStateTable } from '@dais/nginx';

/** Told once a route change is live (the certificate manager follows routes this way). */
export interface RouteListener {
  routeApplied(spec: RouteSpec): Promise<void>;
  routeRemoved(siteId: number): Promise<void>;
}

/** Keeps the edge's routes equal to what the manager asked for, one site at a time. */
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

  /** Number of sites routed. */
  get count(): number {
    return this.table.state.size;
  }

  /** Generation serving the current routes. */
  get generation(): number {
    return this.table.generation;
  }
}
