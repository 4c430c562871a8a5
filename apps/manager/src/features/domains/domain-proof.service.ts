import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { SiteEventsPublisher } from '../site-events/site-events.publisher';
import type { DomainRecord } from './domain';
import { OperationLauncher } from '../operations/operation-launcher';
import type { OperationWithSteps } from '../operations/operation-view';
import { isDue, nextUnverifiedCheck, nextVerifiedCheck } from './check-schedule';
import { TXT_READER, type TxtReader } from './dns-txt.adapter';
import { checkCustomDomain } from './domain-rules';
import { DomainRepository, type DomainOfSite } from './domain.repository';
import { platformHostnames } from './platform-hostnames';
import { challengeRecordName, judgeProof, type ProofOutcome } from './proof-judgement';

/** What the checks need of the domain store. */
export type DomainStore = Pick<DomainRepository, 'findWithSite' | 'isVerifiedElsewhere' | 'recordCheck' | 'verify' | 'lapse' | 'release'>;

/** A domain after a check, with the operation that now routes or unroutes it; `released` if its claim was removed. */
export type CheckResult = { domain: DomainRecord; operation: OperationWithSteps | null } | 'released' | 'gone';

/** The platform itself, as the actor of what its periodic checks do. */
export const SYSTEM_ACTOR: AuditActor = { id: null, username: 'system' };

/** `2026-12-14 10:00 UTC`: deadlines as owners read them. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Looks at a domain's proof of control and acts on what it finds: an unverified domain whose TXT
 * record holds its token is verified and routed (unless another site proved control first); one
 * that is not is released once its deadline passes. A domain verified by its record that loses it
 * stays routed for a grace period, then becomes unverified again. Used by "Check now" and by the
 * periodic sweep; every change is written with its operation in one transaction, then queued,
 * audited and announced.
 */
@Injectable()
export class DomainProofService {
  /** Checks under way in this process: a second ask for the same domain shares the first. */
  private readonly inFlight = new Map<number, Promise<CheckResult>>();

  constructor(
    @Inject(DomainRepository) private readonly domains: DomainStore,
    @Inject(TXT_READER) private readonly reader: TxtReader,
    @Inject(OperationLauncher) private readonly launcher: Pick<OperationLauncher, 'launch'>,
    @Inject(AuditService) private readonly audit: Pick<AuditService, 'record'>,
    @Inject(SiteEventsPublisher) private readonly events: Pick<SiteEventsPublisher, 'siteChanged'>,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Checks one domain now; `actor` is who asked (the system for periodic checks). */
  check(domainId: number, actor: AuditActor, now: Date = new Date()): Promise<CheckResult> {
    const running = this.inFlight.get(domainId);
    if (running) return running;
    const check = this.run(domainId, actor, now).finally(() => this.inFlight.delete(domainId));
    this.inFlight.set(domainId, check);
    return check;
  }

  private async run(domainId: number, actor: AuditActor, now: Date): Promise<CheckResult> {
    const domain = await this.domains.findWithSite(domainId);
    if (!domain) return 'gone';
    const outcome = await this.look(domain);
    if (domain.verifiedAt === null) return this.afterUnverifiedCheck(domain, outcome, actor, now);
    return this.afterVerifiedCheck(domain, outcome, now);
  }

  /** The proof as the DNS shows it now; a hostname that became one of the platform's own can never be proven. */
  private async look(domain: DomainRecord): Promise<ProofOutcome> {
    const refusal = checkCustomDomain(domain.hostname, { reserved: platformHostnames(this.config), isAdmin: true });
    if (refusal) return { proven: false, problem: 'reserved', definite: true, message: refusal.message };
    const recordName = challengeRecordName(domain.hostname);
    if (recordName === null) {
      const message = `The record's name (_dais-challenge.${domain.hostname}) would be longer than DNS allows: ask an admin to verify this domain.`;
      return { proven: false, problem: 'name-too-long', definite: true, message };
    }
    return judgeProof(await this.reader.read(recordName), { recordName, token: domain.verificationToken });
  }

  private async afterUnverifiedCheck(domain: DomainOfSite, outcome: ProofOutcome, actor: AuditActor, now: Date): Promise<CheckResult> {
    let failure = outcome;
    if (outcome.proven && domain.site.state !== 'deleting') {
      const verified = await this.verifyByRecord(domain, actor, now);
      if (verified !== 'claimed-elsewhere') return verified;
      failure = {
        proven: false,
        problem: 'claimed-elsewhere',
        definite: true,
        message: `Another site proved control of ${domain.hostname} first and serves it; this claim cannot be verified unless that site removes it.`,
      };
    }
    const releaseAt = domain.releaseAt ?? now;
    if (isDue(releaseAt, now)) {
      const released = await this.domains.release(domain.id, now);
      if (released) {
        await this.announce(domain, SYSTEM_ACTOR, 'domain.release', { reason: 'Control was not proven in time.' });
        return 'released';
      }
    }
    const message = failure.proven
      ? null
      : `${failure.message} Unless control is proven by ${formatUtc(releaseAt)}, this claim is released (the domain is removed).`;
    return this.record(domain, false, {
      checkedAt: now,
      checkProblem: failure.proven ? null : failure.problem,
      checkMessage: message,
      nextCheckAt: nextUnverifiedCheck(now, releaseAt, this.config.domains),
    });
  }

  private async verifyByRecord(domain: DomainOfSite, actor: AuditActor, now: Date): Promise<CheckResult | 'claimed-elsewhere'> {
    if (await this.domains.isVerifiedElsewhere(domain.hostname, domain.siteId)) return 'claimed-elsewhere';
    const nextCheckAt = new Date(now.getTime() + this.config.domains.recheckIntervalMs);
    const verified = await this.domains.verify({ domainId: domain.id, via: 'dns', by: null, requestedById: actor.id, nextCheckAt });
    if (verified === 'claimed-elsewhere') return verified;
    if (verified === 'changed') return this.current(domain.id);
    await this.launcher.launch(verified.operation.id);
    await this.announce(domain, actor, 'domain.verify', { method: 'dns' });
    return verified;
  }

  /** A verified domain: only one verified by its record can lapse (admins' and migrated ones have no record to lose). */
  private async afterVerifiedCheck(domain: DomainOfSite, outcome: ProofOutcome, now: Date): Promise<CheckResult> {
    const byRecord = domain.verifiedVia === 'dns';
    if (outcome.proven || !byRecord) {
      return this.record(domain, true, {
        checkedAt: now,
        checkProblem: outcome.proven ? null : outcome.problem,
        checkMessage: outcome.proven ? null : outcome.message,
        nextCheckAt: byRecord ? nextVerifiedCheck(now, null, false, this.config.domains) : null,
        lapseAt: null,
      });
    }
    if (!outcome.definite) {
      const nextCheckAt = nextVerifiedCheck(now, domain.lapseAt, true, this.config.domains);
      return this.record(domain, true, { checkedAt: now, checkProblem: outcome.problem, checkMessage: outcome.message, nextCheckAt });
    }
    const lapseAt = domain.lapseAt ?? new Date(now.getTime() + this.config.domains.proofGraceMs);
    if (isDue(lapseAt, now)) return this.lapse(domain, outcome, now);
    const message = `${outcome.message} The domain stays routed until ${formatUtc(lapseAt)}; if the record is not back by then, it becomes unverified and stops being served.`;
    return this.record(domain, true, {
      checkedAt: now,
      checkProblem: outcome.problem,
      checkMessage: message,
      nextCheckAt: nextVerifiedCheck(now, lapseAt, false, this.config.domains),
      lapseAt,
    });
  }

  private async lapse(domain: DomainOfSite, outcome: Extract<ProofOutcome, { proven: false }>, now: Date): Promise<CheckResult> {
    const releaseAt = new Date(now.getTime() + this.config.domains.releaseMs);
    const message = `The record was missing for too long, so ${domain.hostname} is no longer verified nor served. ${outcome.message} Unless control is proven again by ${formatUtc(releaseAt)}, this claim is released.`;
    const lapsed = await this.domains.lapse({
      domainId: domain.id,
      now,
      releaseAt,
      nextCheckAt: nextUnverifiedCheck(now, releaseAt, this.config.domains),
      problem: outcome.problem,
      message,
    });
    if (!lapsed) return this.current(domain.id);
    await this.launcher.launch(lapsed.operation.id);
    await this.announce(domain, SYSTEM_ACTOR, 'domain.unverify', { reason: 'The proof record was missing past the grace period.' });
    return lapsed;
  }

  /** Audits a change the check made to a domain and tells the site's live viewers. */
  private async announce(domain: DomainOfSite, actor: AuditActor, action: string, details: Record<string, string>): Promise<void> {
    await this.audit.record({
      actor,
      action,
      site: { id: domain.siteId, name: domain.site.name },
      details: { domainId: domain.id, hostname: domain.hostname, ...details },
    });
    await this.events.siteChanged(domain.siteId);
  }

  /** Writes a check's result; tells live viewers only when what it says changed. */
  private async record(domain: DomainRecord, verified: boolean, record: Parameters<DomainStore['recordCheck']>[2]): Promise<CheckResult> {
    const updated = await this.domains.recordCheck(domain.id, verified, record);
    if (!updated) return this.current(domain.id);
    if (updated.checkProblem !== domain.checkProblem || updated.checkMessage !== domain.checkMessage)
      await this.events.siteChanged(domain.siteId);
    return { domain: updated, operation: null };
  }

  /** The domain as it is now, after something else changed it during the check. */
  private async current(domainId: number): Promise<CheckResult> {
    const domain = await this.domains.findWithSite(domainId);
    return domain ? { domain, operation: null } : 'gone';
  }
}
