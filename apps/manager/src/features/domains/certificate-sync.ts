import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { RouterClient } from '../../infrastructure/peers/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { SiteEventsPublisher } from '../site-events/site-events.publisher';
import { planCertificateUpdates } from './certificate-updates';

/**
 * Brings each custom domain's certificate state (pending, active with expiry, error with reason)
 * from the router into PostgreSQL, and announces the sites whose domains changed on the live
 * events. The router only answers the manager (DESIGN.md "Trust boundaries"), so the manager asks:
 * once per interval for the whole cluster (worker processes), the first tick at once when the
 * schedule is new (see `PeriodicJobs`).
 */
@Injectable()
export class CertificateSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(CertificateSync.name);
  private running = false;
  /** Per process: with several workers taking turns, each says once what it could not reach. */
  private lastFailure: string | null = null;

  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly router: RouterClient,
    private readonly prisma: PrismaService,
    private readonly events: SiteEventsPublisher,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.schedule('certificate-sync', this.config.certificateSyncIntervalMs, () => this.sync());
  }

  /** One round; returns how many domains changed. A router that cannot be reached is logged once per cause. */
  async sync(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const { certificates } = await this.router.listCertificates();
      const domains = await this.prisma.domain.findMany({
        select: {
          id: true,
          siteId: true,
          hostname: true,
          status: true,
          certificateState: true,
          certificateExpiresAt: true,
          certificateMessage: true,
          certificateRetryAt: true,
        },
      });
      const updates = planCertificateUpdates(domains, certificates);
      for (const update of updates) await this.prisma.domain.updateMany({ where: { id: update.domainId }, data: update.data });
      for (const siteId of new Set(updates.map((update) => update.siteId))) await this.events.siteChanged(siteId);
      this.lastFailure = null;
      return updates.length;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastFailure) this.logger.warn(`could not read certificate states from the router: ${message}`);
      this.lastFailure = message;
      return 0;
    } finally {
      this.running = false;
    }
  }
}
