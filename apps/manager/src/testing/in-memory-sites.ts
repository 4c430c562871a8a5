import type { ImageRecord as Image } from '../features/images/image';
import type { OperationKind } from '../features/operations/operation';
import type { ImageRepository } from '../features/images/image.repository';
import { stepRowsFor } from '../features/operations/operation-catalogue';
import type { OperationRepository } from '../features/operations/operation.repository';
import type { OperationWithSteps } from '../features/operations/operation-view';
import type { NewSite, SiteChanges, SiteRecord, SiteRepository, SiteViewer } from '../features/sites/site.repository';
import type { Clock } from '../infrastructure/clock';
import { siteSecretPlace } from '../infrastructure/secrets/sealed-secret';
import { fakeSeal } from './fake-secrets';

/** The SiteRepository methods services use. */
type SiteStore = Pick<
  SiteRepository,
  | 'createWithOperation'
  | 'changeWithOperation'
  | 'change'
  | 'find'
  | 'findByName'
  | 'findVisible'
  | 'listVisible'
  | 'isVisible'
  | 'ownerIds'
>;

/** Who may see what, as the real repository decides it: admins every site, others the sites they are members of. */
function visibleTo(viewer: SiteViewer, site: SiteRecord, members: ReadonlySet<string>): boolean {
  return viewer.role === 'admin' || members.has(`${site.id}:${viewer.id}`);
}

/**
 * Sites, their members, catalogue images and operations in memory, answering like the Prisma
 * repositories: ids in order from 1, a taken site name answers null, a site change and its
 * operation (steps chosen by the real catalogue) are written together, newest first in lists.
 * Reads return copies, as each Prisma query returns fresh objects: a service holding a site it read
 * does not see a later change through it.
 */
export class InMemorySites implements SiteStore {
  readonly rows: SiteRecord[] = [];
  readonly operationRows: OperationWithSteps[] = [];
  readonly imageRows: Image[] = [];
  /** `siteId:userId` of every membership. */
  readonly members = new Set<string>();
  /** Ids of non-admin users (for `ownerIds`). */
  readonly admins = new Set<number>();
  private nextSiteId = 1;
  private nextOperationId = 1;

  constructor(private readonly clock: Pick<Clock, 'date'> = { date: () => new Date() }) {}

  /** The repositories services take, backed by this store. */
  get images(): Pick<ImageRepository, 'findByName'> {
    return { findByName: (name) => Promise.resolve(this.imageRows.find((image) => image.name === name) ?? null) };
  }

  get operations(): Pick<OperationRepository, 'latestForSite' | 'latestForSites'> {
    return {
      latestForSite: (siteId) => Promise.resolve(this.latestOf(siteId)),
      latestForSites: (siteIds) =>
        Promise.resolve(
          new Map(
            siteIds.flatMap((id) => {
              const latest = this.latestOf(id);
              return latest ? [[id, latest] as const] : [];
            }),
          ),
        ),
    };
  }

  /** Adds a catalogue image (test arrangement). */
  seedImage(image: Partial<Image> & Pick<Image, 'name'>): Image {
    const row: Image = {
      id: this.imageRows.length + 1,
      baseImage: `docker.io/library/${image.name}`,
      description: '',
      packageUpdate: null,
      packageInstall: ['apt-get', 'install', '-y'],
      runScript: 'exec "$@"',
      createdAt: this.clock.date(),
      ...image,
    };
    this.imageRows.push(row);
    return row;
  }

  /** Adds an active site with its members (test arrangement). */
  seed(site: Partial<SiteRecord> & Pick<SiteRecord, 'name'>, memberIds: number[] = []): SiteRecord {
    const id = site.id ?? this.nextSiteId;
    this.nextSiteId = Math.max(this.nextSiteId, id + 1);
    const row: SiteRecord = {
      id,
      type: 'static',
      description: '',
      state: 'active',
      availability: 'enabled',
      createdAt: this.clock.date(),
      updatedAt: this.clock.date(),
      imageId: null,
      image: null,
      packages: [],
      setupCommands: [],
      builtImage: null,
      env: {},
      secrets: {},
      memoryMb: 256,
      cpus: 0.5,
      pids: 256,
      stopped: false,
      clientMaxBodyMb: null,
      nginxSnippet: null,
      diskLimitMb: null,
      domains: [],
      database: null,
      ...site,
    };
    this.rows.push(row);
    for (const userId of memberIds) this.members.add(`${id}:${userId}`);
    return row;
  }

  createWithOperation(site: NewSite): Promise<{ site: SiteRecord; operation: OperationWithSteps } | null> {
    if (this.rows.some((row) => row.name === site.name)) return Promise.resolve(null);
    const image = this.imageRows.find((row) => row.id === site.imageId) ?? null;
    const { ownerId, ...fields } = site;
    const created = this.seed({ ...fields, id: this.nextSiteId, state: 'provisioning', image }, [ownerId]);
    return Promise.resolve({ site: copy(created), operation: this.operationFor(created, 'create_site', ownerId) });
  }

  changeWithOperation(
    siteId: number,
    kind: OperationKind,
    requestedById: number,
    changes: SiteChanges = {},
  ): Promise<OperationWithSteps | null> {
    const site = this.rows.find((row) => row.id === siteId);
    // Prisma's update throws P2025 for a missing row; the repository does not catch it.
    if (!site) return Promise.reject(new Error(`No Site ${siteId} to update (P2025)`));
    if (!this.apply(site, changes)) return Promise.resolve(null);
    if (kind === 'delete_site') site.state = 'deleting';
    return Promise.resolve(this.operationFor(site, kind, requestedById));
  }

  change(siteId: number, changes: SiteChanges): Promise<void> {
    const site = this.rows.find((row) => row.id === siteId);
    if (!site) return Promise.reject(new Error(`No Site ${siteId} to update (P2025)`));
    if (!this.apply(site, changes)) return Promise.reject(new Error('Unique constraint failed on the fields: (`name`) (P2002)'));
    return Promise.resolve();
  }

  find(id: number): Promise<SiteRecord | null> {
    return Promise.resolve(copyOrNull(this.rows.find((row) => row.id === id)));
  }

  findByName(name: string): Promise<SiteRecord | null> {
    return Promise.resolve(copyOrNull(this.rows.find((row) => row.name === name)));
  }

  findVisible(id: number, viewer: SiteViewer): Promise<SiteRecord | null> {
    return Promise.resolve(copyOrNull(this.rows.find((row) => row.id === id && visibleTo(viewer, row, this.members))));
  }

  listVisible(viewer: SiteViewer, query: Parameters<SiteRepository['listVisible']>[1]): Promise<SiteRecord[]> {
    const page = typeof query === 'number' ? { limit: query } : query;
    const search = 'search' in page && page.search ? page.search.toLowerCase() : undefined;
    const found = this.rows
      .filter((row) => visibleTo(viewer, row, this.members))
      .filter((row) => !search || row.name.toLowerCase().includes(search) || row.description.toLowerCase().includes(search))
      .filter((row) => !('cursor' in page) || page.cursor === undefined || row.id < page.cursor)
      .filter((row) => !('type' in page) || page.type === undefined || row.type === page.type)
      .sort((a, b) => b.id - a.id);
    return Promise.resolve(found.slice(0, page.limit).map(copy));
  }

  isVisible(id: number, viewer: SiteViewer): Promise<boolean> {
    return Promise.resolve(this.rows.some((row) => row.id === id && visibleTo(viewer, row, this.members)));
  }

  ownerIds(siteId: number): Promise<number[]> {
    const ids = [...this.members].filter((key) => key.startsWith(`${siteId}:`)).map((key) => Number(key.split(':')[1]));
    return Promise.resolve(ids.filter((id) => !this.admins.has(id)));
  }

  private latestOf(siteId: number): OperationWithSteps | null {
    return this.operationRows.filter((operation) => operation.siteId === siteId).sort((a, b) => b.id - a.id)[0] ?? null;
  }

  /** Writes an operation for the site, its steps chosen by the real catalogue (as `createOperationRow` does). */
  operationFor(site: SiteRecord, kind: OperationKind, requestedById: number | null): OperationWithSteps {
    const id = this.nextOperationId++;
    const hasDatabase = site.database !== null && (kind === 'delete_site' || !site.database.deleting);
    const operation: OperationWithSteps = {
      id,
      siteId: site.id,
      siteName: site.name,
      kind,
      state: 'pending',
      error: null,
      requestedById,
      createdAt: this.clock.date(),
      startedAt: null,
      finishedAt: null,
      steps: stepRowsFor(kind, { ...site, hasDatabase }).map((step, index) => ({
        ...step,
        id: id * 100 + index,
        operationId: id,
        state: 'pending',
        attempts: 0,
        message: null,
        startedAt: null,
        finishedAt: null,
      })),
    };
    this.operationRows.push(operation);
    return operation;
  }

  /** Applies plain field changes (and an image connect); false when the new name is another site's. */
  private apply(site: SiteRecord, changes: SiteChanges): boolean {
    const { image, secrets, ...fields } = changes as SiteChanges & { image?: { connect: { id: number } } };
    if (typeof fields.name === 'string' && this.rows.some((row) => row.id !== site.id && row.name === fields.name)) return false;
    Object.assign(site, fields, { updatedAt: this.clock.date() });
    if (image) {
      site.image = this.imageRows.find((row) => row.id === image.connect.id) ?? null;
      site.imageId = site.image?.id ?? null;
    }
    // Sealed like the real repository does (never kept as given), though not encrypted.
    if (secrets) {
      const sealed = Object.entries(secrets).map(([name, value]) => [name, fakeSeal(value, siteSecretPlace(site.id, name))] as const);
      site.secrets = Object.fromEntries(sealed);
    }
    return true;
  }
}

/** A site as a fresh read returns it. */
function copy(site: SiteRecord): SiteRecord {
  return { ...site, domains: [...site.domains], packages: [...site.packages], database: site.database && { ...site.database } };
}

function copyOrNull(site: SiteRecord | undefined): SiteRecord | null {
  return site ? copy(site) : null;
}
