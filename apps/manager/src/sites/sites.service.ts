import { Inject, Injectable, Logger } from '@nestjs/common';
import { DaisError, type CreateSiteRequest, type OperationView, type SiteView } from '@dais/shared';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import { OperationRepository } from '../operations/operation.repository';
import { toOperationView } from '../operations/operation-view';
import { OperationQueue } from '../queue/operation-queue';
import { SiteRepository } from './site.repository';
import { toSiteView } from './site-view';

/** Most sites one list answers with (paging arrives with the full API). */
const LIST_LIMIT = 200;

/**
 * Site lifecycle as users see it. Every change is written to PostgreSQL with its operation in one
 * transaction, then queued; the answer is 202 with the operation to watch.
 */
@Injectable()
export class SitesService {
  private readonly logger = new Logger(SitesService.name);

  constructor(
    private readonly sites: SiteRepository,
    private readonly operations: OperationRepository,
    private readonly queue: OperationQueue,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Creates a site owned by `user` and starts provisioning it. */
  async create(user: AuthenticatedUser, request: CreateSiteRequest): Promise<SiteView> {
    const created = await this.sites.createWithOperation({
      name: request.name,
      type: request.type,
      description: request.description,
      ownerId: user.id,
    });
    if (!created)
      throw new DaisError('SITE_NAME_TAKEN', `A site named "${request.name}" already exists; choose another name.`, { rule: 'unique' });
    await this.enqueue(created.operation.id);
    return toSiteView(created.site, created.operation, this.config.sites);
  }

  /** A site the user may see, with its latest operation. */
  async get(user: AuthenticatedUser, siteId: number): Promise<SiteView> {
    const site = await this.sites.findVisible(siteId, user);
    if (!site) throw siteNotFound(siteId);
    return toSiteView(site, await this.operations.latestForSite(site.id), this.config.sites);
  }

  /** Sites the user may see, newest first. */
  async list(user: AuthenticatedUser): Promise<SiteView[]> {
    const sites = await this.sites.listVisible(user, LIST_LIMIT);
    const latest = await this.operations.latestForSites(sites.map((site) => site.id));
    return sites.map((site) => toSiteView(site, latest.get(site.id) ?? null, this.config.sites));
  }

  /** Starts deleting a site. Asking again while a delete is under way returns that same operation. */
  async delete(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    const site = await this.sites.findVisible(siteId, user);
    if (!site) throw siteNotFound(siteId);
    const latest = await this.operations.latestForSite(siteId);
    if (latest?.kind === 'delete_site' && (latest.state === 'pending' || latest.state === 'running')) return toOperationView(latest);
    const operation = await this.sites.startOperation(siteId, 'delete_site', user.id);
    await this.enqueue(operation.id);
    return toOperationView(operation);
  }

  /** Whether the user may see (and follow live) a site. */
  canView(user: AuthenticatedUser, siteId: number): Promise<boolean> {
    return this.sites.isVisible(siteId, user);
  }

  /** Queues an operation; if Redis is down the operation is safe in PostgreSQL and the sweeper queues it later. */
  private async enqueue(operationId: number): Promise<void> {
    try {
      await this.queue.enqueue(operationId);
    } catch (error) {
      this.logger.warn(
        `operation ${operationId} saved but not queued yet (${error instanceof Error ? error.message : String(error)}); the sweeper will queue it`,
      );
    }
  }
}

function siteNotFound(siteId: number): DaisError {
  return new DaisError('SITE_NOT_FOUND', `There is no site ${siteId}, or you are not one of its members.`);
}
