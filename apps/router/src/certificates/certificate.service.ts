import { accessSync, constants } from 'node:fs';
import { KeyedLock, type CertificateStatus, type RouteSpec } from '@dais/shared';
import type { ServableCertificate } from '../nginx/edge-tls.render';
import type { CertificateAuthority } from './certificate-authority';
import type { IssuanceBudget, ReachabilityProbe } from './certificate-ports';
import type { CertificateStore } from './certificate-store';
import { attemptOrder, messageOf } from './order-attempt';
import { nextRetryAt, renewalDue } from './policy/retry-schedule';
import { sameHostnames, statusesOf, type OrderPhase, type SiteCertificate } from './site-certificate';

/** The few logger methods the manager uses (Fastify's logger fits). */
export interface CertificateLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** What the certificate manager works with. */
export interface CertificateServiceOptions {
  store: CertificateStore;
  /** Null when ACME is turned off: certificates on disk are served, nothing is ordered. */
  authority: CertificateAuthority | null;
  budget: IssuanceBudget;
  probe: ReachabilityProbe;
  renewDays: number;
  renewIntervalMs: number;
  retry: { baseMs: number; maxMs: number };
  /** Makes nginx serve the current certificates (one re-apply of the edge config). */
  reapply(): Promise<unknown>;
  log: CertificateLog;
  now?: () => Date;
}

/**
 * Keeps each site's certificate equal to what its route wants: one certificate per site covering
 * its certificate hostnames. Orders run one at a time from an in-process queue, behind the
 * issuance budget and the reachability pre-flight; failures retry with exponential backoff;
 * certificates close to expiry are renewed while the old one keeps serving.
 */
export class CertificateService {
  private readonly sites = new Map<number, SiteCertificate>();
  private readonly queue: number[] = [];
  /** The ids in `queue`: a bulk route fill enqueues every site, and a scan of the array each time is quadratic. */
  private readonly queued = new Set<number>();
  private readonly fileLocks = new KeyedLock<number>();
  private draining: Promise<void> | null = null;
  private renewalTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: CertificateServiceOptions) {}

  /** Reads the stored certificates; unusable ones are reported and left out of nginx. Call before nginx starts. */
  async load(): Promise<void> {
    await this.options.store.init();
    for (const loaded of await this.options.store.loadAll()) {
      const site = this.siteFor(loaded.ok ? loaded.certificate.siteId : loaded.siteId);
      // nginx starts with these before the API answers, so they count as live from the start.
      if (loaded.ok) site.served = site.live = loaded.certificate;
      else {
        site.broken = loaded.problem;
        this.options.log.warn(
          { siteId: loaded.siteId, problem: loaded.problem },
          'stored certificate is unusable; it is not served and will be ordered again',
        );
      }
    }
  }

  /** Starts managing the routed sites: orders what is missing or due, then checks renewals every interval. */
  async start(routes: Iterable<RouteSpec>): Promise<void> {
    for (const route of routes) await this.want(route.siteId, route.certificateHostnames);
    this.renewalTimer = setInterval(() => this.checkRenewals(), this.options.renewIntervalMs);
    this.renewalTimer.unref();
  }

  /** Stops scheduling; an order in flight finishes or fails on its own. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.renewalTimer);
    for (const site of this.sites.values()) clearTimeout(site.retryTimer);
  }

  /** A route was applied: orders a certificate if the wanted hostnames differ from what is stored. */
  routeApplied(spec: RouteSpec): Promise<void> {
    return this.want(spec.siteId, spec.certificateHostnames);
  }

  /** A route was removed: no more orders or renewals, and its key and certificates are deleted. */
  routeRemoved(siteId: number): Promise<void> {
    return this.want(siteId, []);
  }

  /**
   * Certificates nginx may serve now: checked, not expired, and their files still readable. A file
   * deleted or made unreadable by hand since it was checked would make every `nginx -t` fail (and
   * with it every route change), so such a certificate is left out, reported and ordered again.
   */
  servable(): ServableCertificate[] {
    const now = this.now();
    return [...this.sites.values()].flatMap((site) => {
      const served = site.served;
      if (!served || served.notAfter <= now) return [];
      if (readable(served.certificateFile) && readable(served.keyFile)) return [served];
      this.options.log.warn({ siteId: site.siteId }, 'a stored certificate file disappeared; it is not served and will be ordered again');
      site.served = null;
      site.broken = 'its files disappeared from disk';
      queueMicrotask(() => this.enqueue(site));
      return [];
    });
  }

  /** The status of every hostname that has or wants a certificate. */
  list(): CertificateStatus[] {
    const now = this.now();
    return [...this.sites.values()].sort((a, b) => a.siteId - b.siteId).flatMap((site) => statusesOf(site, now));
  }

  /** Resolves once the queue is empty (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async want(siteId: number, hostnames: readonly string[]): Promise<void> {
    const wanted = [...new Set(hostnames)].sort();
    const site = this.sites.get(siteId);
    if (wanted.length === 0) {
      if (!site) return;
      clearTimeout(site.retryTimer);
      this.sites.delete(siteId);
      // nginx stopped naming these files in the apply that preceded this call.
      await this.fileLocks.run(siteId, () => this.options.store.remove(siteId));
      return;
    }
    const current = site ?? this.siteFor(siteId);
    if (site && sameHostnames(current.wanted, wanted)) return;
    current.wanted = wanted;
    current.failures = 0;
    current.hostnameErrors = new Map();
    if (this.needsOrder(current)) this.enqueue(current);
    else this.setPhase(current, { kind: 'idle' });
  }

  private needsOrder(site: SiteCertificate): boolean {
    if (site.wanted.length === 0) return false;
    if (!site.served) return true;
    return !sameHostnames(site.served.hostnames, site.wanted) || renewalDue(site.served.notAfter, this.now(), this.options.renewDays);
  }

  private checkRenewals(): void {
    for (const site of this.sites.values()) if (site.phase.kind === 'idle' && this.needsOrder(site)) this.enqueue(site);
    // A certificate that expired meanwhile must leave nginx (servable() skips it): an expired one
    // is worse than plain HTTP. Once re-applied, it no longer counts as live.
    const expired = [...this.sites.values()].filter((site) => site.live && site.live.notAfter <= this.now());
    if (expired.length === 0) return;
    void this.options.reapply().then(
      () => expired.forEach((site) => (site.live = null)),
      (error: unknown) => this.options.log.warn({ error: messageOf(error) }, 'could not take expired certificates out of nginx'),
    );
  }

  private enqueue(site: SiteCertificate): void {
    clearTimeout(site.retryTimer);
    if (!this.options.authority) {
      this.setPhase(site, { kind: 'disabled' });
      return;
    }
    if (this.stopped) return;
    if (site.phase.kind !== 'ordering' && site.phase.kind !== 'queued') this.setPhase(site, { kind: 'queued' });
    if (!this.queued.has(site.siteId)) {
      this.queued.add(site.siteId);
      this.queue.push(site.siteId);
    }
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  private async drain(): Promise<void> {
    for (let siteId = this.queue.shift(); siteId !== undefined; siteId = this.queue.shift()) {
      this.queued.delete(siteId);
      const site = this.sites.get(siteId);
      try {
        if (site && !this.stopped && this.needsOrder(site)) await this.order(site);
        else if (site && site.served !== site.live) await this.retryInstall(site);
        else if (site?.phase.kind === 'queued') this.setPhase(site, { kind: 'idle' });
      } catch (error) {
        // Storing the certificate failed (disk full, permissions): retry later like any failure.
        if (site) this.fail(site, messageOf(error));
      }
    }
  }

  private async order(site: SiteCertificate): Promise<void> {
    const authority = this.options.authority;
    if (!authority) return;
    this.setPhase(site, { kind: 'ordering' });
    const { budget, probe, renewDays } = this.options;
    const outcome = await attemptOrder({
      hostnames: site.wanted,
      served: site.served,
      renewDays,
      authority,
      budget,
      probe,
      now: () => this.now(),
    });
    site.hostnameErrors = outcome.hostnameErrors;
    if (outcome.kind === 'deferred') {
      this.retryLater(site, { kind: 'deferred', reason: outcome.reason, retryAt: outcome.retryAt });
      return;
    }
    if (outcome.kind === 'failed') {
      this.fail(site, outcome.reason);
      return;
    }
    // The route may have been removed while the order ran: a removed site keeps no files.
    if (this.sites.get(site.siteId) !== site) return;
    const { keyPem, fullchainPem } = outcome.certificate;
    const stored = await this.fileLocks.run(site.siteId, () => this.options.store.save(site.siteId, keyPem, fullchainPem));
    site.served = stored;
    site.broken = null;
    this.options.log.info({ siteId: site.siteId, hostnames: stored.hostnames, notAfter: stored.notAfter }, 'certificate issued');
    if (!(await this.install(site))) return;
    if (site.hostnameErrors.size > 0) {
      this.fail(site, [...site.hostnameErrors.values()].join(' '));
      return;
    }
    site.failures = 0;
    this.setPhase(site, { kind: 'idle' });
    // The route changed while ordering: order again for the new set. (Not for being due: a
    // certificate due as soon as issued, renewDays ≥ its lifetime, waits for the renewal check.)
    if (!sameHostnames(stored.hostnames, site.wanted)) this.enqueue(site);
  }

  /** Makes nginx serve the site's stored certificate; on failure the retry installs it again (no new order). */
  private async install(site: SiteCertificate): Promise<boolean> {
    const stored = site.served;
    try {
      await this.options.reapply();
    } catch (error) {
      this.fail(site, `The certificate was issued but nginx did not load it: ${messageOf(error)}`);
      return false;
    }
    site.live = stored;
    return true;
  }

  private async retryInstall(site: SiteCertificate): Promise<void> {
    if (!(await this.install(site))) return;
    site.failures = 0;
    this.setPhase(site, { kind: 'idle' });
  }

  private fail(site: SiteCertificate, reason: string): void {
    site.failures += 1;
    const retryAt = nextRetryAt(site.failures, this.now(), this.options.retry);
    this.options.log.warn({ siteId: site.siteId, reason, retryAt }, 'certificate order failed');
    this.retryLater(site, { kind: 'failed', reason, retryAt });
  }

  private retryLater(site: SiteCertificate, phase: Extract<OrderPhase, { retryAt: Date }>): void {
    this.setPhase(site, phase);
    clearTimeout(site.retryTimer);
    if (this.stopped) return;
    const delay = Math.max(0, phase.retryAt.getTime() - this.now().getTime());
    site.retryTimer = setTimeout(() => {
      if (this.sites.get(site.siteId) === site) this.enqueue(site);
    }, delay);
    site.retryTimer.unref();
  }

  private setPhase(site: SiteCertificate, phase: OrderPhase): void {
    site.phase = phase;
    site.updatedAt = this.now();
  }

  private siteFor(siteId: number): SiteCertificate {
    let site = this.sites.get(siteId);
    if (!site) {
      site = {
        siteId,
        wanted: [],
        served: null,
        live: null,
        broken: null,
        phase: { kind: 'idle' },
        failures: 0,
        hostnameErrors: new Map(),
        updatedAt: this.now(),
      };
      this.sites.set(siteId, site);
    }
    return site;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** True when the file is there and this process may read it (what nginx -t needs of it). */
function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
