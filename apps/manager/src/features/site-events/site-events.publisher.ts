import { Inject, Injectable } from '@nestjs/common';
import type { OperationView } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import type { OperationEvents } from '../operations/operation-runner';
import { OperationRepository } from '../operations/operation.repository';
import { SiteRepository } from '../sites/site.repository';
import { toSiteView } from '../sites/site-view';
import { EventBus } from '../../infrastructure/realtime/event-bus';

/**
 * What workers announce while operations run: every change of an operation, and the site as it
 * is once one of its operations ended (a new name, domains now active, a new state).
 */
@Injectable()
export class SiteEventsPublisher implements OperationEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly sites: SiteRepository,
    private readonly operations: OperationRepository,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  operationChanged(siteId: number, view: OperationView): Promise<void> {
    return this.bus.operationChanged(siteId, view);
  }

  /** A deleted site has nothing left to show: its operation's own update says it is gone. */
  operationEnded(siteId: number): Promise<void> {
    return this.siteChanged(siteId);
  }

  /** Announces the site as it is now (e.g. a domain's certificate changed); nothing if it is gone. */
  async siteChanged(siteId: number): Promise<void> {
    const site = await this.sites.find(siteId);
    if (!site) return;
    await this.bus.siteUpdated(siteId, toSiteView(site, await this.operations.latestForSite(siteId), this.config.sites));
  }
}
