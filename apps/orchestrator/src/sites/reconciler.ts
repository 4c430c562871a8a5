import type { FastifyBaseLogger } from 'fastify';
import type { SiteRuntimeDriver } from './runtime-driver';
import type { SiteService } from './site.service';

/** What the reconciler repairs besides containers: the tier's nginx. */
export interface NginxDriftRepair {
  /** Re-applies the config if it was changed by hand or nginx stopped; returns what was wrong. */
  repairDrift(): Promise<string[]>;
}

/** How often things happen, in milliseconds. */
export interface ReconcilerTiming {
  intervalMs: number;
  /** Engine events for one site within this window are handled once. */
  debounceMs?: number;
}

/**
 * Self-repair: on start, every interval, and promptly after engine events, compares the desired
 * state with the site folders, Docker and nginx and repairs the difference. A site folder (public,
 * private, .home) replaced by a link or a file is moved aside and made again, a container removed by hand comes back,
 * one whose image changed is replaced, a hand-edited or deleted route file is rewritten, and
 * containers of sites this host no longer holds are removed.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private readonly pending = new Map<number, NodeJS.Timeout>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly sites: SiteService,
    private readonly runtime: SiteRuntimeDriver,
    private readonly nginx: NginxDriftRepair,
    private readonly timing: ReconcilerTiming,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Runs a first pass, then keeps watching. */
  async start(): Promise<void> {
    this.unwatch = this.runtime.watch((siteId) => this.schedule(siteId));
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.timing.intervalMs);
  }

  /** Stops watching and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unwatch?.();
    for (const timeout of this.pending.values()) clearTimeout(timeout);
    this.pending.clear();
    await this.running;
  }

  /** One full pass over every site, the orphans and nginx. Passes never overlap. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const siteId of this.sites.siteIds()) {
      await this.sites.converge(siteId).then(
        (notes) => notes.length > 0 && this.log.warn({ siteId, notes }, 'repaired the site folder'),
        (error: unknown) => this.log.warn({ err: error, siteId }, 'could not repair site'),
      );
    }
    try {
      const known = new Set(this.sites.siteIds());
      for (const siteId of await this.runtime.managedSiteIds()) {
        if (known.has(siteId)) continue;
        if (await this.sites.removeOrphan(siteId))
          this.log.warn({ siteId }, 'removed containers of a site this orchestrator does not hold');
      }
      const problems = await this.nginx.repairDrift();
      if (problems.length > 0) this.log.warn({ problems }, 'repaired the nginx configuration');
    } catch (error) {
      this.log.warn({ err: error }, 'reconcile pass incomplete; next pass retries');
    }
  }

  private schedule(siteId: number): void {
    clearTimeout(this.pending.get(siteId));
    this.pending.set(
      siteId,
      setTimeout(() => {
        this.pending.delete(siteId);
        this.sites.converge(siteId).then(
          (notes) => notes.length > 0 && this.log.warn({ siteId, notes }, 'repaired the site folder'),
          (error: unknown) => this.log.warn({ err: error, siteId }, 'could not refresh site'),
        );
      }, this.timing.debounceMs ?? 200),
    );
  }
}
