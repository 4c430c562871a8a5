import { Inject, Injectable } from '@nestjs/common';
import { DaisError, isErrorCode, type DatabaseHost, type SiteDatabaseDrop, type SiteDatabaseSpec } from '@dais/shared';
import { OrchestratorClient, RouterClient } from '../../infrastructure/peers/peer-clients';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { toCatalogEntry } from '../images/image-view';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import type { SecretOpener } from '../../infrastructure/secrets/sealed-secret';
import { toRouteSpec } from '../routing/route-spec';
import { toSiteSpec } from '../sites/site-spec';
import { SiteRepository, type SiteDatabaseRecord, type SiteRecord } from '../sites/site.repository';
import type { StepName } from './operation-catalogue';
import type { StepExecutor } from './operation-runner';

/** Build log lines reach the operation at most this often (each is a database write and an event). */
const REPORT_INTERVAL_MS = 500;

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
    private readonly secrets: SecretBox,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  async execute(step: StepName, siteId: number, report: (message: string) => Promise<void>): Promise<string | undefined> {
    switch (step) {
      case 'orchestrator.build_image':
        await this.buildImage(await this.site(siteId), report);
        return;
      case 'orchestrator.ensure_site': {
        const { domain, diskLimitMb } = this.config.sites;
        const applied = await this.orchestrator.putSite(toSiteSpec(await this.site(siteId), domain, this.secrets, diskLimitMb));
        // What the orchestrator repaired (a public folder replaced by a link…) stays on the step for the owner.
        return applied.notes.length > 0 ? applied.notes.join(' ') : undefined;
      }
      case 'router.ensure_routes':
        await this.router.putRoutes(toRouteSpec(await this.site(siteId), this.config.sites.domain));
        return;
      case 'orchestrator.restart_site':
        await this.orchestrator.restartSite(siteId);
        return;
      case 'router.remove_routes':
        await this.router.removeRoutes(siteId);
        return;
      case 'orchestrator.remove_site':
        await this.orchestrator.removeSite(siteId);
        return;
      case 'orchestrator.ensure_database': {
        await this.orchestrator.ensureDatabase(databaseOf(await this.site(siteId), this.secrets));
        return;
      }
      case 'orchestrator.drop_database': {
        await this.orchestrator.dropDatabase(databaseDropOf(await this.site(siteId), this.secrets));
        return;
      }
    }
  }

  /**
   * Builds the site's own image when it adds packages or setup commands (else it runs the
   * catalogue image as is). A failed build leaves the site on the image it had.
   */
  private async buildImage(site: SiteRecord, report: (message: string) => Promise<void>): Promise<void> {
    const setupCommands = site.setupCommands as string[][];
    if (!site.image) throw new DaisError('VALIDATION_FAILED', `Site ${site.id} is dynamic but has no image; choose one.`);
    if (site.packages.length === 0 && setupCommands.length === 0) {
      await this.sites.setBuiltImage(site.id, null);
      return;
    }
    const outcome: { lastReport: number; built?: string; failure?: DaisError } = { lastReport: 0 };
    await this.orchestrator.buildImage(
      { siteId: site.id, base: toCatalogEntry(site.image), packages: site.packages, setupCommands },
      async (event) => {
        if (event.type === 'log' && Date.now() - outcome.lastReport >= REPORT_INTERVAL_MS) {
          outcome.lastReport = Date.now();
          await report(`Building: ${event.line}`);
        } else if (event.type === 'queued') {
          // Not throttled: the place in line is what the owner waits on.
          outcome.lastReport = Date.now();
          await report(`Waiting for ${event.ahead} ${event.ahead === 1 ? 'build' : 'builds'} ahead of this one on the app host.`);
        } else if (event.type === 'done') {
          outcome.built = event.image;
        } else if (event.type === 'error') {
          outcome.failure = new DaisError(isErrorCode(event.code) ? event.code : 'PEER_ERROR', event.message);
        }
      },
    );
    if (outcome.failure) throw outcome.failure;
    if (!outcome.built) throw new DaisError('PEER_ERROR', 'The image build ended without saying whether it succeeded.');
    await this.sites.setBuiltImage(site.id, outcome.built);
  }

  private async site(siteId: number): Promise<SiteRecord> {
    const site = await this.sites.find(siteId);
    if (!site) throw new DaisError('SITE_NOT_FOUND', `Site ${siteId} no longer exists.`);
    return site;
  }
}

function siteDatabase(site: SiteRecord): SiteDatabaseRecord {
  if (!site.database) throw new DaisError('OPERATION_NOT_RETRYABLE', `Site ${site.id} has no database any more.`);
  return site.database;
}

/** The orchestrator's view of the site's database to drop: the host's admin access and the site's names. */
function databaseDropOf(site: SiteRecord, secrets: SecretOpener): SiteDatabaseDrop {
  const database = siteDatabase(site);
  const host: DatabaseHost = {
    engine: database.host.engine,
    adminHost: database.host.adminHost,
    adminPort: database.host.adminPort,
    adminUser: database.host.adminUser,
    adminPassword: secrets.open(database.host.adminPassword),
  };
  return { siteId: site.id, host, name: database.name, username: database.username };
}

/** The same with the site's password, to create the database or set its password. */
function databaseOf(site: SiteRecord, secrets: SecretOpener): SiteDatabaseSpec {
  return { ...databaseDropOf(site, secrets), password: secrets.open(siteDatabase(site).password) };
}
