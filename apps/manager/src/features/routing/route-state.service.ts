import { Inject, Injectable } from '@nestjs/common';
import { routeStateDigest, type RouteSpec, type RouteStateApplied, type RouteSummary } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { RouterClient } from '../../infrastructure/peers/peer-clients';
import { toRouteSpec } from './route-spec';
import { RouteStateRepository } from './route-state.repository';

/** A router the whole route state can be sent to (the configured one, or any router of the fleet). */
export type RouteStateTarget = Pick<RouterClient, 'replaceRoutes' | 'routeSummary'>;

/** The stages of a fill, for whoever shows progress. */
export type RouterFillProgress =
  | { stage: 'desired'; sites: number; digest: string; ms: number }
  | { stage: 'router'; summary: RouteSummary }
  | { stage: 'sending'; sites: number; bytes: number };

/** What {@link RouteStateService.fillRouter} did. */
export interface RouterFillResult {
  /** False when the router already held the desired state (same digest): nothing was sent. */
  sent: boolean;
  /** Sites in the desired state (all sent when `sent`). */
  sites: number;
  /** Size of the JSON body sent (0 when nothing was sent). */
  bytes: number;
  /** From reading PostgreSQL to the router's answer. */
  ms: number;
  digest: string;
  /** What the router held before. */
  before: RouteSummary;
  /** The router's answer, when the state was sent. */
  applied?: RouteStateApplied;
}

/** Options of a fill. */
export interface RouterFillOptions {
  /** Send the whole state even when the router's digest already matches. */
  force?: boolean;
  onProgress?(progress: RouterFillProgress): void;
}

/**
 * The whole desired route state, read from PostgreSQL, and filling a router with it at once: a new
 * or emptied router gets every site's routes in one request and one nginx reload, instead of one
 * request per site. Afterwards the per-site steps keep it current as before.
 */
@Injectable()
export class RouteStateService {
  constructor(
    private readonly repository: RouteStateRepository,
    private readonly router: RouterClient,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Every site's route as the per-site step would send it, by site id. */
  async desiredRoutes(): Promise<RouteSpec[]> {
    return (await this.repository.routedSites()).map((site) => toRouteSpec(site, this.config.sites.domain));
  }

  /**
   * Compares the router's digest with the desired state's and sends the whole state only if they
   * differ. A site changed while the fill runs is sent again by its own step; one whose step ran
   * between this read and the router's answer is repaired by the next fill.
   */
  async fillRouter(target: RouteStateTarget = this.router, options: RouterFillOptions = {}): Promise<RouterFillResult> {
    const started = performance.now();
    const [routes, before] = await Promise.all([this.desiredRoutes(), target.routeSummary()]);
    const digest = routeStateDigest(routes);
    options.onProgress?.({ stage: 'desired', sites: routes.length, digest, ms: performance.now() - started });
    options.onProgress?.({ stage: 'router', summary: before });
    if (before.digest === digest && !options.force) {
      return { sent: false, sites: routes.length, bytes: 0, ms: performance.now() - started, digest, before };
    }
    const bytes = Buffer.byteLength(JSON.stringify({ routes }));
    options.onProgress?.({ stage: 'sending', sites: routes.length, bytes });
    const applied = await target.replaceRoutes(routes);
    return { sent: true, sites: routes.length, bytes, ms: performance.now() - started, digest, before, applied };
  }
}
