import { Inject, Injectable } from '@nestjs/common';
import { DaisError, MAX_SITE_HOSTNAMES, type DomainView, type OperationView } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import { OperationLauncher } from '../operations/operation-launcher';
import { toOperationView } from '../operations/operation-view';
import { assertNotDeleting, changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { checkCustomDomain } from './domain-rules';
import { DomainRepository } from './domain.repository';
import { toDomainView } from './domain-view';

/** Most custom domains a site may have: its own hostname takes one of the hostnames it may answer on. */
const MAX_DOMAINS = MAX_SITE_HOSTNAMES - 1;

/**
 * A site's custom domains. Adding or removing one routes the site's new set of hostnames through
 * an `update_site` operation; a domain is `pending` until that operation succeeds.
 */
@Injectable()
export class DomainsService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly domains: DomainRepository,
    private readonly launcher: OperationLauncher,
    private readonly audit: AuditService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** The custom domains of a site the user may see. */
  async list(user: AuthenticatedUser, siteId: number): Promise<DomainView[]> {
    await visibleSite(this.sites, user, siteId);
    return (await this.domains.listForSite(siteId)).map(toDomainView);
  }

  /** Adds a custom domain (normalized by the contract) and starts routing it. */
  async add(user: AuthenticatedUser, siteId: number, hostname: string): Promise<{ domain: DomainView; operation: OperationView }> {
    const site = await changeableSite(this.sites, user, siteId);
    const refusal = checkCustomDomain(hostname, { sitesDomain: this.config.sites.domain, isAdmin: user.role === 'admin' });
    if (refusal)
      throw new DaisError(refusal.code, refusal.message, { issues: [{ path: 'hostname', rule: refusal.rule, message: refusal.message }] });
    assertNotDeleting(site);
    if ((await this.domains.countForSite(siteId)) >= MAX_DOMAINS) {
      throw new DaisError('VALIDATION_FAILED', `A site may have at most ${MAX_DOMAINS} custom domains; remove one first.`, {
        issues: [{ path: 'hostname', rule: 'max-domains', message: `at most ${MAX_DOMAINS} domains` }],
      });
    }
    const added = await this.domains.addWithOperation(siteId, hostname, user.id);
    // Which site holds it stays private: the other site may not be the user's.
    if (!added)
      throw new DaisError('HOSTNAME_CONFLICT', `${hostname} is already a domain of a site; a domain belongs to one site at a time.`);
    await this.launcher.launch(added.operation.id);
    await this.audit.record({ actor: user, action: 'domain.add', site, details: { domainId: added.domain.id, hostname } });
    return { domain: toDomainView(added.domain), operation: toOperationView(added.operation) };
  }

  /** Removes a custom domain; the site stops answering on it once the operation succeeds. */
  async remove(user: AuthenticatedUser, siteId: number, domainId: number): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    const removed = await this.domains.removeWithOperation(siteId, domainId, user.id);
    if (!removed) throw new DaisError('DOMAIN_NOT_FOUND', `Site ${siteId} has no domain ${domainId}.`);
    await this.launcher.launch(removed.operation.id);
    await this.audit.record({ actor: user, action: 'domain.remove', site, details: { domainId, hostname: removed.domain.hostname } });
    return toOperationView(removed.operation);
  }
}
