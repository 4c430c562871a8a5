import { Inject, Injectable } from '@nestjs/common';
import { DaisError } from '@dais/shared';
import { OrchestratorClient, RouterClient } from '../clients/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import { toRouteSpec, toSiteSpec } from '../sites/site-spec';
import { SiteRepository, type SiteWithDomains } from '../sites/site.repository';
import type { StepName } from './operation-catalogue';
import type { StepExecutor } from './operation-runner';

/**
 * Carries out steps by sending the site's full desired state, read fresh from PostgreSQL at each
 * step, to the component that owns that part. Repeating a step repeats a harmless call.
 */
@Injectable()
export class SiteStepExecutor implements StepExecutor {
  constructor(
    private readonly sites: SiteRepository,
    private readonly orchestrator: OrchestratorClient,
    private readonly router: RouterClient,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  async execute(step: StepName, siteId: number): Promise<void> {
    switch (step) {
      case 'orchestrator.ensure_site':
        await this.orchestrator.putSite(toSiteSpec(await this.site(siteId), this.config.sites.domain));
        return;
      case 'router.ensure_routes':
        await this.router.putRoutes(toRouteSpec(await this.site(siteId), this.config.sites.domain));
        return;
      case 'router.remove_routes':
        await this.router.removeRoutes(siteId);
        return;
      case 'orchestrator.remove_site':
        await this.orchestrator.removeSite(siteId);
        return;
    }
  }

  private async site(siteId: number): Promise<SiteWithDomains> {
    const site = await this.sites.find(siteId);
    if (!site) throw new DaisError('SITE_NOT_FOUND', `Site ${siteId} no longer exists.`);
    return site;
  }
}
