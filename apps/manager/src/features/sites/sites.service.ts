import { Inject, Injectable } from '@nestjs/common';
import {
  ADMIN_ONLY_SITE_FIELDS,
  DaisError,
  type CreateSiteRequest,
  type OperationView,
  type SiteStatus,
  type SiteView,
  type UpdateSiteRequest,
  type listSitesQuerySchema,
  type siteListViewSchema,
} from '@dais/shared';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { AccessRevocation } from '../auth/access-revocation';
import { assertAdmin, type AuthenticatedUser } from '../auth/authenticated-user';
import { OrchestratorClient } from '../../infrastructure/peers/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { ImageRepository } from '../images/image.repository';
import { OperationRepository } from '../operations/operation.repository';
import { toOperationView } from '../operations/operation-view';
import { OperationLauncher } from '../operations/operation-launcher';
import { assertNotDeleting, changeableSite, visibleSite } from './site-access';
import { SiteRepository, type SiteChanges, type SiteRecord } from './site.repository';
import { diskLimitOf } from './site-spec';
import { toSiteView } from './site-view';

/** Bytes in a MiB. */
const MIB = 1024 * 1024;

/** One page of sites and where the next one starts (null: this was the last). */
export type SitePage = z.output<typeof siteListViewSchema>;

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
    private readonly access: AccessRevocation,
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
   * a component must apply (a new name included) becomes an update operation. Returns the site
   * with that operation.
   */
  async update(user: AuthenticatedUser, siteId: number, request: UpdateSiteRequest): Promise<SiteView> {
    const site = await changeableSite(this.sites, user, siteId);
    const adminField = ADMIN_ONLY_SITE_FIELDS.find((field) => request[field] !== undefined);
    if (adminField) assertAdmin(user, `change a site's ${adminField}`);
    assertNotDeleting(site);
    const changes = await this.changesFor(site, request);
    if (Object.keys(changes).some((key) => key !== 'description')) await this.startOperation(siteId, 'update_site', user, changes);
    else if (changes.description !== undefined) await this.sites.change(siteId, changes);
    // Locked from now on (the new availability is saved): what its owners have open ends too.
    if (request.availability === 'disabled' && site.availability !== 'disabled') {
      await this.access.endSiteForOwners(siteId, await this.sites.ownerIds(siteId));
    }
    if (request.name !== undefined && request.name !== site.name) {
      const renamed = { id: site.id, name: request.name };
      await this.audit.record({ actor: user, action: 'site.rename', site: renamed, details: { from: site.name, to: request.name } });
    }
    // Field names only: values may be secrets.
    const fields = Object.keys(request).filter((field) => field !== 'name');
    if (fields.length > 0) await this.audit.record({ actor: user, action: 'site.update', site, details: { fields } });
    return this.get(user, siteId);
  }

  /** Starts re-applying the whole desired state of a site (database, image, files, container, routes). Admins only. */
  async repair(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    assertAdmin(user, 'repair a site');
    const site = await visibleSite(this.sites, user, siteId);
    assertNotDeleting(site);
    await this.audit.record({ actor: user, action: 'site.repair', site });
    return this.startOperation(siteId, 'repair_site', user);
  }

  /** Restarts a dynamic site (also revives one that crashed). */
  async restart(user: AuthenticatedUser, siteId: number): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    if (site.type !== 'dynamic') throw new DaisError('VALIDATION_FAILED', `${site.name} is a static site: there is no process to restart.`);
    await this.audit.record({ actor: user, action: 'site.restart', site });
    return this.startOperation(siteId, 'restart_site', user);
  }

  /** Stops (or starts again) a dynamic site's container; visitors see the "not served" page meanwhile. */
  async setStopped(user: AuthenticatedUser, siteId: number, stopped: boolean): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    if (site.type !== 'dynamic')
      throw new DaisError('VALIDATION_FAILED', `${site.name} is a static site: it has no process to ${stopped ? 'stop' : 'start'}.`);
    await this.audit.record({ actor: user, action: stopped ? 'site.stop' : 'site.start', site });
    return this.startOperation(siteId, 'update_site', user, { stopped });
  }

  /** What the site is doing right now, asked of the orchestrator. */
  async status(user: AuthenticatedUser, siteId: number): Promise<SiteStatus> {
    await visibleSite(this.sites, user, siteId);
    return this.orchestrator.siteStatus(siteId);
  }

  /** A site the user may see, with its latest operation. */
  async get(user: AuthenticatedUser, siteId: number): Promise<SiteView> {
    const site = await visibleSite(this.sites, user, siteId);
    return toSiteView(site, await this.operations.latestForSite(site.id), this.config.sites);
  }

  /** A page of the sites the user may see, newest first, optionally only those matching `search`. */
  async list(user: AuthenticatedUser, query: z.output<typeof listSitesQuerySchema>): Promise<SitePage> {
    // One more than asked tells whether another page follows.
    const found = await this.sites.listVisible(user, { ...query, limit: query.limit + 1 });
    const sites = found.slice(0, query.limit);
    const latest = await this.operations.latestForSites(sites.map((site) => site.id));
    return {
      sites: sites.map((site) => toSiteView(site, latest.get(site.id) ?? null, this.config.sites)),
      nextCursor: found.length > query.limit ? (sites.at(-1)?.id ?? null) : null,
    };
  }

  /**
   * Starts deleting a site once `confirm` repeats its name. Asking again while a delete is under
   * way returns that same operation.
   */
  async delete(user: AuthenticatedUser, siteId: number, confirm: string): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    if (confirm !== site.name) {
      throw new DaisError('VALIDATION_FAILED', `To delete this site, send its name "${site.name}" as confirm.`, {
        issues: [{ path: 'confirm', rule: 'matches-site-name', message: 'must be the name of the site' }],
      });
    }
    const latest = await this.operations.latestForSite(siteId);
    if (latest?.kind === 'delete_site' && (latest.state === 'pending' || latest.state === 'running')) return toOperationView(latest);
    await this.audit.record({ actor: user, action: 'site.delete', site });
    return this.startOperation(siteId, 'delete_site', user);
  }

  /** Whether the user may see (and follow live) a site. */
  canView(user: AuthenticatedUser, siteId: number): Promise<boolean> {
    return this.sites.isVisible(siteId, user);
  }

  /** The database changes a request makes (fields equal to the current value, like the same name, are left out). */
  private async changesFor(site: SiteRecord, request: UpdateSiteRequest): Promise<SiteChanges> {
    const type = request.type ?? site.type;
    if (type === 'static' && (request.image !== undefined || request.packages?.length || request.setupCommands?.length)) {
      throw new DaisError('VALIDATION_FAILED', 'image, packages and setupCommands are for dynamic sites.', {
        issues: [{ path: 'type', rule: 'custom', message: 'not dynamic' }],
      });
    }
    const changes: SiteChanges = {
      ...pick(request, ['description', 'type', 'packages', 'setupCommands', 'env', 'secrets', 'availability']),
      ...(request.name !== undefined && request.name !== site.name ? { name: request.name } : {}),
    };
    if (type === 'dynamic' && (request.image !== undefined || !site.image || request.packages)) {
      const image = await this.imageFor(request.image ?? site.image?.name, request.packages ?? site.packages);
      changes.image = { connect: { id: image.id } };
    }
    if (request.limits) Object.assign(changes, request.limits);
    if (request.nginx)
      Object.assign(changes, { clientMaxBodyMb: request.nginx.clientMaxBodyMb ?? null, nginxSnippet: request.nginx.snippet ?? null });
    if (request.diskLimitMb !== undefined) {
      await this.assertDiskLimitHolds(site, request.diskLimitMb ?? this.config.sites.diskLimitMb);
      changes.diskLimitMb = request.diskLimitMb;
    }
    return changes;
  }

  /**
   * Refuses a disk limit below what the site stores now (asked of its host), before anything
   * changes. Should the site grow past it before the operation runs, the host keeps the old
   * limit and the operation says so.
   */
  private async assertDiskLimitHolds(site: SiteRecord, limitMb: number): Promise<void> {
    if (limitMb >= diskLimitOf(site, this.config.sites.diskLimitMb)) return;
    const usage = (await this.orchestrator.siteStatus(site.id)).disk;
    if (!usage || usage.usedBytes <= limitMb * MIB) return;
    const usedMb = Math.ceil(usage.usedBytes / MIB);
    throw new DaisError(
      'DISK_LIMIT_BELOW_USAGE',
      `${site.name} stores ${usedMb} MiB, more than a disk limit of ${limitMb} MiB would hold: delete files first, or choose at least ${usedMb} MiB.`,
      { usedBytes: usage.usedBytes, limitMb },
    );
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
    kind: 'update_site' | 'repair_site' | 'restart_site' | 'delete_site',
    user: AuthenticatedUser,
    changes: SiteChanges = {},
  ): Promise<OperationView> {
    const operation = await this.sites.changeWithOperation(siteId, kind, user.id, changes);
    // Only the name is unique among a site's fields.
    if (!operation)
      throw new DaisError(
        'SITE_NAME_TAKEN',
        `A site named "${typeof changes.name === 'string' ? changes.name : '?'}" already exists; choose another name.`,
        {
          rule: 'unique',
        },
      );
    await this.launcher.launch(operation.id);
    return toOperationView(operation);
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]])) as Partial<Pick<T, K>>;
}
