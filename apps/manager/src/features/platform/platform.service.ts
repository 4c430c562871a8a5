import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PlatformView } from '@dais/shared';
import { OidcService } from '../auth/oidc/oidc.service';
import { Clock } from '../../infrastructure/clock';
import { FilesClient } from '../../infrastructure/peers/files.client';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { siteUrl } from '../sites/site-view';

/** How long the orchestrator's upload limit is reused before asking again (it changes only on its restart). */
const LIMITS_TTL_MS = 60_000;
/**
 * The orchestrator's file limits are its own settings, the same for every site; its route sits
 * under a site's files like the others, so any site id reads them.
 */
const ANY_SITE_ID = 1;

/** What the dashboard needs to know about this installation (`GET /api/platform`). */
@Injectable()
export class PlatformService {
  private readonly logger = new Logger('Platform');
  private uploadLimit: { bytes: number; readAt: number } | null = null;

  constructor(
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
    private readonly files: FilesClient,
    private readonly sso: OidcService,
    private readonly clock: Clock,
  ) {}

  async describe(): Promise<PlatformView> {
    const { sites, shell, http } = this.config;
    return {
      sitesDomain: sites.domain,
      siteUrlExample: siteUrl('<name>', sites),
      uploadLimitBytes: await this.uploadLimitBytes(),
      editLimitBytes: http.bodyLimitBytes,
      ssh: { host: shell.publicHost, port: shell.publicPort },
      sso: { oidc: this.sso.enabled },
    };
  }

  /** The orchestrator's upload limit; null while it does not answer (the upload itself is still checked). */
  private async uploadLimitBytes(): Promise<number | null> {
    const cached = this.uploadLimit;
    if (cached && this.clock.now() - cached.readAt < LIMITS_TTL_MS) return cached.bytes;
    try {
      const limits = await this.files.limits(ANY_SITE_ID);
      this.uploadLimit = { bytes: limits.uploadMaxBytes, readAt: this.clock.now() };
      return limits.uploadMaxBytes;
    } catch (error) {
      this.logger.warn(`could not read the orchestrator's upload limit: ${error instanceof Error ? error.message : String(error)}`);
      return cached?.bytes ?? null;
    }
  }
}
