import { Inject, Injectable } from '@nestjs/common';
import {
  certificateListSchema,
  imageBuildEventSchema,
  loadOwnPrivateKey,
  routesAppliedSchema,
  routesRemovedSchema,
  routeStateAppliedSchema,
  routeSummarySchema,
  siteAppliedSchema,
  siteDatabaseResultSchema,
  siteRemovedSchema,
  sessionsEndedSchema,
  siteStatusSchema,
  PeerClient,
  sqlQueryResultSchema,
  type CertificateList,
  type EndSessionsRequest,
  type ImageBuildEvent,
  type RoutesApplied,
  type RoutesRemoved,
  type RouteSpec,
  type RouteStateApplied,
  type RouteSummary,
  type SiteApplied,
  type SiteDatabaseDrop,
  type SiteDatabaseResult,
  type SiteDatabaseSpec,
  type SiteImageBuild,
  type SessionsEnded,
  type SiteRemoved,
  type SiteSpec,
  type SiteStatus,
  type SiteDatabaseQuery,
  type SqlQueryResult,
} from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';

/** The longest an image build may stream before the manager gives up on it (retry resumes from cache). */
const IMAGE_BUILD_TIMEOUT_MS = 30 * 60_000;

/**
 * The manager's identity on the wire: every call it makes is signed with its own key. `name` is how
 * errors name the peer (by default its id and URL).
 */
export function managerPeerClient(config: ManagerConfig, peer: { url: string; id: string }, name?: string): PeerClient {
  return new PeerClient({
    baseUrl: peer.url,
    callerId: 'manager',
    audience: peer.id,
    privateKey: loadOwnPrivateKey(config.keys.dir, 'manager'),
    timeoutMs: config.peerTimeoutMs,
    tls: config.peerTls,
    ...(name === undefined ? {} : { name }),
  });
}

/** Calls to the orchestrator: "make site N look like this", and everything else it does for sites. */
@Injectable()
export class OrchestratorClient {
  private readonly http: PeerClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.http = managerPeerClient(config, config.orchestrator);
  }

  /** Sends a site's full desired state. */
  putSite(spec: SiteSpec): Promise<SiteApplied> {
    return this.http.call({ method: 'PUT', path: `/v1/sites/${spec.id}`, body: spec, response: siteAppliedSchema });
  }

  /** Removes a site's containers, route and files. */
  removeSite(siteId: number): Promise<SiteRemoved> {
    return this.http.call({ method: 'DELETE', path: `/v1/sites/${siteId}`, response: siteRemovedSchema });
  }

  /** Restarts a dynamic site. */
  restartSite(siteId: number): Promise<SiteStatus> {
    return this.http.call({ method: 'POST', path: `/v1/sites/${siteId}/restart`, response: siteStatusSchema });
  }

  /** What the site is doing right now. */
  siteStatus(siteId: number): Promise<SiteStatus> {
    return this.http.call({ method: 'GET', path: `/v1/sites/${siteId}/status`, response: siteStatusSchema });
  }

  /** Builds the site's own image, handing each build event to `onEvent` as it happens. */
  buildImage(build: SiteImageBuild, onEvent: (event: ImageBuildEvent) => Promise<void>): Promise<void> {
    return this.http.stream(
      { method: 'POST', path: `/v1/sites/${build.siteId}/image`, body: build, response: imageBuildEventSchema },
      onEvent,
      IMAGE_BUILD_TIMEOUT_MS,
    );
  }

  /** Makes the site's database and user exist with this password. */
  ensureDatabase(spec: SiteDatabaseSpec): Promise<SiteDatabaseResult> {
    return this.http.call({ method: 'PUT', path: `/v1/databases/${spec.siteId}`, body: spec, response: siteDatabaseResultSchema });
  }

  /** Drops the site's database and user. */
  dropDatabase(spec: SiteDatabaseDrop): Promise<SiteDatabaseResult> {
    return this.http.call({ method: 'DELETE', path: `/v1/databases/${spec.siteId}`, body: spec, response: siteDatabaseResultSchema });
  }

  /** Ends the shell's live sessions (and unused shell tokens) of people who lost access. */
  endSessions(request: EndSessionsRequest): Promise<SessionsEnded> {
    return this.http.call({ method: 'POST', path: '/v1/sessions/end', body: request, response: sessionsEndedSchema });
  }

  /** Runs one SQL console statement on the site's database, logged in as the site's own user. */
  queryDatabase(query: SiteDatabaseQuery): Promise<SqlQueryResult> {
    return this.http.call({ method: 'POST', path: `/v1/databases/${query.siteId}/query`, body: query, response: sqlQueryResultSchema });
  }
}

/** Calls to the router: a site's routes at the edge. */
@Injectable()
export class RouterClient {
  private readonly http: PeerClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.http = managerPeerClient(config, config.router);
  }

  /** Sends every hostname that must reach the site. */
  putRoutes(spec: RouteSpec): Promise<RoutesApplied> {
    return this.http.call({ method: 'PUT', path: `/v1/routes/${spec.siteId}`, body: spec, response: routesAppliedSchema });
  }

  /** Stops routing the site. */
  removeRoutes(siteId: number): Promise<RoutesRemoved> {
    return this.http.call({ method: 'DELETE', path: `/v1/routes/${siteId}`, response: routesRemovedSchema });
  }

  /** Replaces every route the router holds with `specs`, in one apply (a new or emptied router). */
  replaceRoutes(specs: readonly RouteSpec[]): Promise<RouteStateApplied> {
    return this.http.call({ method: 'PUT', path: '/v1/routes', body: { routes: specs }, response: routeStateAppliedSchema });
  }

  /** How many sites the router routes, and the digest of its routes. */
  routeSummary(): Promise<RouteSummary> {
    return this.http.call({ method: 'GET', path: '/v1/routes/summary', response: routeSummarySchema });
  }

  /** Every hostname's certificate state at the router. */
  listCertificates(): Promise<CertificateList> {
    return this.http.call({ method: 'GET', path: '/v1/certificates', response: certificateListSchema });
  }
}
