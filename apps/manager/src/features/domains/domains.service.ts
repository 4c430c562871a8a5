import { Inject, Injectable } from '@nestjs/common';
import { DaisError, MAX_SITE_HOSTNAMES, type DomainView, type OperationView } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { Clock } from '../../infrastructure/clock';
import { SiteEventsPublisher } from '../site-events/site-events.publisher';
import { OperationLauncher } from '../operations/operation-launcher';
import { toOperationView, type OperationWithSteps } from '../operations/operation-view';
import { assertNotDeleting, changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { nextUnverifiedCheck } from './check-schedule';
import { DomainProofService } from './domain-proof.service';
import { checkCustomDomain } from './domain-rules';
import { DomainRepository } from './domain.repository';
import { toDomainView } from './domain-view';
import type { DomainRecord } from './domain';
import { platformHostnames } from './platform-hostnames';
import { newVerificationToken } from './proof-judgement';

/** Most custom domains a site may have: its own hostname takes one of the hostnames it may answer on. */
const MAX_DOMAINS = MAX_SITE_HOSTNAMES - 1;

/** A domain and the operation that routes it now, if any. */
export interface DomainChange {
  domain: DomainView;
  operation: OperationView | null;
}

/**
 * A site's custom domains. A new domain is an unverified claim: nothing is routed until its owner
 * proves control (a DNS TXT record, checked on demand and periodically) or an admin verifies it;
 * then an `update_site` operation routes the site's new set of hostnames. Removing one routes
 * the site without it.
 */
@Injectable()
export class DomainsService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly domains: DomainRepository,
    private readonly proof: DomainProofService,
    private readonly launcher: OperationLauncher,
    private readonly audit: AuditService,
    private readonly events: SiteEventsPublisher,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
    private readonly clock: Clock,
  ) {}

  /** The custom domains of a site the user may see. */
  async list(user: AuthenticatedUser, siteId: number): Promise<DomainView[]> {
    await visibleSite(this.sites, user, siteId);
    return (await this.domains.listForSite(siteId)).map(toDomainView);
  }

  /** Adds an unverified claim of a hostname (normalized by the contract); its answer shows the record to publish. */
  async add(user: AuthenticatedUser, siteId: number, hostname: string): Promise<DomainChange> {
    const site = await changeableSite(this.sites, user, siteId);
    this.assertClaimable(hostname, user.role === 'admin');
    assertNotDeleting(site);
    if ((await this.domains.countForSite(siteId)) >= MAX_DOMAINS) {
      throw new DaisError('VALIDATION_FAILED', `A site may have at most ${MAX_DOMAINS} custom domains; remove one first.`, {
        issues: [{ path: 'hostname', rule: 'max-domains', message: `at most ${MAX_DOMAINS} domains` }],
      });
    }
    // Unverified claims elsewhere do not block this one (the first to prove control wins); a verified one does.
    if (await this.domains.isVerifiedElsewhere(hostname, siteId)) throw conflict(hostname);
    const now = this.clock.date();
    const releaseAt = new Date(now.getTime() + this.config.domains.releaseMs);
    const domain = await this.domains.create({
      siteId,
      hostname,
      token: newVerificationToken(),
      releaseAt,
      nextCheckAt: nextUnverifiedCheck(now, releaseAt, this.config.domains),
    });
    if (!domain) throw new DaisError('HOSTNAME_CONFLICT', `${hostname} is already a domain of this site.`);
    await this.audit.record({ actor: user, action: 'domain.add', site, details: { domainId: domain.id, hostname } });
    await this.events.siteChanged(siteId);
    return { domain: toDomainView(domain), operation: null };
  }

  /** Looks at the domain's record now ("Check now"), verifying and routing it if it proves control. */
  async check(user: AuthenticatedUser, siteId: number, domainId: number): Promise<DomainChange> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    await this.existing(siteId, domainId);
    const result = await this.proof.check(domainId, user);
    if (result === 'gone') throw notFound(siteId, domainId);
    if (result === 'released') {
      throw new DaisError(
        'DOMAIN_NOT_FOUND',
        `Control of the domain was not proven in time: its claim was released. Add it again for a new record.`,
      );
    }
    return changeOf(result.domain, result.operation);
  }

  /** An admin marks a domain verified by hand (audited) and routes it. */
  async verify(user: AuthenticatedUser, siteId: number, domainId: number): Promise<DomainChange> {
    if (user.role !== 'admin') throw new DaisError('FORBIDDEN', 'Only admins may mark a domain verified by hand.');
    const site = await visibleSite(this.sites, user, siteId);
    assertNotDeleting(site);
    const domain = await this.existing(siteId, domainId);
    if (domain.verifiedAt !== null) return changeOf(domain, null);
    this.assertClaimable(domain.hostname, true);
    if (await this.domains.isVerifiedElsewhere(domain.hostname, siteId)) throw conflict(domain.hostname);
    const verified = await this.domains.verify({ domainId, via: 'admin', by: user.username, requestedById: user.id, nextCheckAt: null });
    if (verified === 'claimed-elsewhere') throw conflict(domain.hostname);
    if (verified === 'changed') return changeOf(await this.existing(siteId, domainId), null);
    await this.launcher.launch(verified.operation.id);
    await this.audit.record({
      actor: user,
      action: 'domain.verify',
      site,
      details: { domainId, hostname: domain.hostname, method: 'admin' },
    });
    await this.events.siteChanged(siteId);
    return changeOf(verified.domain, verified.operation);
  }

  /** Removes a custom domain; the site stops answering on it once the operation succeeds. */
  async remove(user: AuthenticatedUser, siteId: number, domainId: number): Promise<OperationView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    const removed = await this.domains.removeWithOperation(siteId, domainId, user.id);
    if (!removed) throw notFound(siteId, domainId);
    await this.launcher.launch(removed.operation.id);
    await this.audit.record({ actor: user, action: 'domain.remove', site, details: { domainId, hostname: removed.domain.hostname } });
    return toOperationView(removed.operation);
  }

  /** Wildcards are for admins; the platform's own hostnames are nobody's. */
  private assertClaimable(hostname: string, isAdmin: boolean): void {
    const refusal = checkCustomDomain(hostname, { reserved: platformHostnames(this.config), isAdmin });
    if (refusal)
      throw new DaisError(refusal.code, refusal.message, { issues: [{ path: 'hostname', rule: refusal.rule, message: refusal.message }] });
  }

  private async existing(siteId: number, domainId: number): Promise<DomainRecord> {
    const domain = await this.domains.find(siteId, domainId);
    if (!domain) throw notFound(siteId, domainId);
    return domain;
  }
}

function changeOf(domain: DomainRecord, operation: OperationWithSteps | null): DomainChange {
  return { domain: toDomainView(domain), operation: operation ? toOperationView(operation) : null };
}

function notFound(siteId: number, domainId: number): DaisError {
  return new DaisError('DOMAIN_NOT_FOUND', `Site ${siteId} has no domain ${domainId}.`);
}

/** Which site holds it stays private: the other site may not be the user's. */
function conflict(hostname: string): DaisError {
  return new DaisError(
    'HOSTNAME_CONFLICT',
    `${hostname} is already a domain of a site, verified there; a domain belongs to one site at a time.`,
  );
}
