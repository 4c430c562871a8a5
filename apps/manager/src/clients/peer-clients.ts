import { Inject, Injectable } from '@nestjs/common';
import {
  loadOwnPrivateKey,
  routesAppliedSchema,
  routesRemovedSchema,
  siteAppliedSchema,
  SignedHttpClient,
  siteRemovedSchema,
  type RoutesApplied,
  type RoutesRemoved,
  type RouteSpec,
  type SiteApplied,
  type SiteRemoved,
  type SiteSpec,
} from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';

/** The manager's identity on the wire: every call it makes is signed with its own key. */
function signedClient(config: ManagerConfig, peer: { url: string; id: string }): SignedHttpClient {
  return new SignedHttpClient({
    baseUrl: peer.url,
    callerId: 'manager',
    audience: peer.id,
    privateKey: loadOwnPrivateKey(config.keys.dir, 'manager'),
    timeoutMs: config.peerTimeoutMs,
  });
}

/** Calls to the orchestrator: "make site N look like this", and removal. */
@Injectable()
export class OrchestratorClient {
  private readonly http: SignedHttpClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.http = signedClient(config, config.orchestrator);
  }

  /** Sends a site's full desired state. */
  putSite(spec: SiteSpec): Promise<SiteApplied> {
    return this.http.call({ method: 'PUT', path: `/v1/sites/${spec.id}`, body: spec, response: siteAppliedSchema });
  }

  /** Removes a site's route and files. */
  removeSite(siteId: number): Promise<SiteRemoved> {
    return this.http.call({ method: 'DELETE', path: `/v1/sites/${siteId}`, response: siteRemovedSchema });
  }
}

/** Calls to the router: a site's routes at the edge. */
@Injectable()
export class RouterClient {
  private readonly http: SignedHttpClient;

  constructor(@Inject(MANAGER_CONFIG) config: ManagerConfig) {
    this.http = signedClient(config, config.router);
  }

  /** Sends every hostname that must reach the site. */
  putRoutes(spec: RouteSpec): Promise<RoutesApplied> {
    return this.http.call({ method: 'PUT', path: `/v1/routes/${spec.siteId}`, body: spec, response: routesAppliedSchema });
  }

  /** Stops routing the site. */
  removeRoutes(siteId: number): Promise<RoutesRemoved> {
    return this.http.call({ method: 'DELETE', path: `/v1/routes/${siteId}`, response: routesRemovedSchema });
  }
}
