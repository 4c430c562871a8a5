import { Inject, Injectable } from '@nestjs/common';
import {
  ADMIN_ONLY_SITE_FIELDS,
  DaisError,
  type CreateSiteRequest,
  type OperationView,
  type SiteStatus,
  type SiteView,
  type UpdateSiteRequest,
} from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import { assertAdmin, type AuthenticatedUser } from '../auth/authenticated-user';
import { OrchestratorClient } from '../clients/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import type { Prisma } from '../generated/prisma/client';
import { ImageRepository } from '../images/image.repository';
import { OperationRepository } from '../operations/operation.repository';
import { toOperationView } from '../operations/operation-view';
import { OperationLauncher } from '../operations/operation-launcher';
import { SiteRepository, type SiteRecord } from './site.repository';
import { toSiteView } from './site-view';

/** Most sites one list answers with (paging arrives with the full API). */
const LIST_LIMIT = 200;

/**
 * Site lifecycle as users see it. Every change is written to PostgreSQL with its operation in one
 * transaction, then queued; the answer is 202 with the operation to watch.
 */
@Injectable()
export class SitesService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly images: ImageRepository,
    private readonly operations: OperationRepository,
    private readonly launcher: OperationLauncher,
    private readonly orchestrator: OrchestratorClient,
    private readonly audit: AuditService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Creates a site owned by `user` and starts provisioning it. */
  async create(user: AuthenticatedUser, request: CreateSiteRequest): Promise<SiteView> {
    const image = request.type === 'dynamic' ? await this.imageFor(request.image, request.packages) : null;
    const created = await this.sites.createWithOperation({
      name: request.name,
      type: request.type,
      description: request.description,
      ownerId: user.id,
      imageId: image?.id ?? null,
      packages: request.packages,
      setupCommands: request.setupCommands,
      env: request.env,
    });
    if (!created)
      throw new DaisError('SITE_NAME_TAKEN', `A site named "${request.name}" already exists; choose another name.`, { rule: 'unique' });
    await this.launcher.launch(created.operation.id);
    await this.audit.record({
      actor: user,
      action: 'site.create',
      site: created.site,
      details: { type: request.type, image: request.image ?? null },
    });
    return toSiteView(created.site, created.operation, this.config.sites);
  }

  /**
   * Changes a site. A change only the manager keeps (the description) is saved at once; anything
   * a component must apply becomes an update operation. Returns the site with that operation.
   */
  async update(user: AuthenticatedUser, siteId: number, request: UpdateSiteRequest): Promise<SiteView> {
    const site = await this.visible(user, siteId);
    const adminField = ADMIN_ONLY_SITE_FIELDS.find((field) => request[field] !== undefined);
    if (adminField) assertAdmin(user, `change a site's ${adminField}`);
    const type = request.type ?? site.type;
    if (type === 'static' && (request.image !== undefined || request.packages?.length || request.setupCommands?.length)) {
      throw new DaisError('VALIDATION_FAILED', 'image, packages and setupCommands are for dynamic sites.', {
        issues: [{ path: 'type', rule: 'custom', message: 'not dynamic' }],
      });
    }
    const changes: Prisma.SiteUpdateInput = {
      ...pick(request, ['description', 'type', 'packages', 'setupCommands', 'env', 'secrets', 'availability']),
    };
    if (type === 'dynamic' && (request.image !== undefined || !site.image || request.packages)) {
      const image = await this.imageFor(request.image ?? site.image?.name, request.packages ?? site.packages);
      changes.image = { connect: { id: image.id } };
    }
    if (request.limits) Object.assign(changes, request.limits);
    if (request.nginx)
      Object.assign(changes, { clientMaxBodyMb: request.nginx.clientMaxBodyMb ?? null, nginxSnippet: request.nginx.snippet ?? null });
    const onlyDescription = Object.keys(request).every((key) => key === 'description');
    if (onlyDescription) await this.sites.change(siteId, changes);
    else await this.startOperation(siteId, 'update_site', user, changes);
    // Field names only: values may be secrets.
    await this.audit.record({ actor: user, action: 'site.update', site, details: { fields: Object.keys(request) } });
    return this.get(user, siteId);
  }

  /** Restarts a dynamic site (also revives one that crashed). */
  async restart(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    const site = await this.visible(user, siteId);
    if (site.type !== 'dynamic') throw new DaisError('VALIDATION_FAILED', `${site.name} is a static site: there is no process to restart.`);
    await this.audit.record({ actor: user, action: 'site.restart', site });
    return this.startOperation(siteId, 'restart_site', user);
  }

  /** Stops (or starts again) a dynamic site's container; visitors see the "not served" page meanwhile. */
  async setStopped(user: AuthenticatedUser, siteId: number, stopped: boolean): Promise<OperationView> {
    const site = await this.visible(user, siteId);
    if (site.type !== 'dynamic')
      throw new DaisError('VALIDATION_FAILED', `${site.name} is a static site: it has no process to ${stopped ? 'stop' : 'start'}.`);
    await this.audit.record({ actor: user, action: stopped ? 'site.stop' : 'site.start', site });
    return this.startOperation(siteId, 'update_site', user, { stopped });
  }

  /** What the site is doing right now, asked of the orchestrator. */
  async status(user: AuthenticatedUser, siteId: number): Promise<SiteStatus> {
    await this.visible(user, siteId);
    return this.orchestrator.siteStatus(siteId);
  }

  /** A site the user may see, with its latest operation. */
  async get(user: AuthenticatedUser, siteId: number): Promise<SiteView> {
    const site = await this.visible(user, siteId);
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
    const site = await this.visible(user, siteId);
    const latest = await this.operations.latestForSite(siteId);
    if (latest?.kind === 'delete_site' && (latest.state === 'pending' || latest.state === 'running')) return toOperationView(latest);
    await this.audit.record({ actor: user, action: 'site.delete', site });
    return this.startOperation(siteId, 'delete_site', user);
  }

  /** Whether the user may see (and follow live) a site. */
  canView(user: AuthenticatedUser, siteId: number): Promise<boolean> {
    return this.sites.isVisible(siteId, user);
  }

  private async visible(user: AuthenticatedUser, siteId: number): Promise<SiteRecord> {
    const site = await this.sites.findVisible(siteId, user);
    if (!site) throw new DaisError('SITE_NOT_FOUND', `There is no site ${siteId}, or you are not one of its members.`);
    return site;
  }

  /** A catalogue image for a dynamic site, checked against the packages it must install. */
  private async imageFor(name: string | undefined, packages: readonly string[]) {
    if (!name)
      throw new DaisError('VALIDATION_FAILED', 'A dynamic site needs an image: choose one from GET /api/images.', {
        issues: [{ path: 'image', rule: 'required', message: 'required' }],
      });
    const image = await this.images.findByName(name);
    if (!image)
      throw new DaisError('VALIDATION_FAILED', `There is no image "${name}" in the catalogue (see GET /api/images).`, {
        issues: [{ path: 'image', rule: 'exists', message: 'unknown image' }],
      });
    if (packages.length > 0 && image.packageInstall === null) {
      throw new DaisError(
        'IMAGE_PACKAGES_UNSUPPORTED',
        `The image "${name}" cannot install packages; choose an image that can, or remove the packages.`,
      );
    }
    return image;
  }

  private async startOperation(
    siteId: number,
    kind: 'update_site' | 'restart_site' | 'delete_site',
    user: AuthenticatedUser,
    changes: Prisma.SiteUpdateInput = {},
  ): Promise<OperationView> {
    const operation = await this.sites.changeWithOperation(siteId, kind, user.id, changes);
    await this.launcher.launch(operation.id);
    return toOperationView(operation);
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]])) as Partial<Pick<T, K>>;
}
