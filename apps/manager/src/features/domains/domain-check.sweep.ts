import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { sweepEveryMs } from './check-schedule';
import { DomainProofService, SYSTEM_ACTOR } from './domain-proof.service';
import { DomainRepository } from './domain.repository';

/** Most domains one tick takes; the rest wait for the next tick. */
const BATCH = 64;
/** Lookups at once within a tick. */
const CONCURRENCY = 8;
/** A domain taken by a tick whose process died is looked at again after this. */
const LEASE_MS = 5 * 60_000;

/**
 * The periodic domain checks (worker processes): once per tick for the whole cluster, takes the
 * domains whose check is due (never the same one twice at once, see `takeDue`) and checks them.
 * A check that throws is logged and its domain tried again once its lease ends.
 */
@Injectable()
export class DomainCheckSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger(DomainCheckSweep.name);

  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly domains: DomainRepository,
    private readonly proof: DomainProofService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.schedule('domain-checks', sweepEveryMs(this.config.domains), () => this.sweep());
  }

  /** One tick; returns how many domains were checked. */
  async sweep(now: Date = new Date()): Promise<number> {
    const due = await this.domains.takeDue(now, new Date(now.getTime() + LEASE_MS), BATCH);
    const queue = [...due];
    const lane = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          await this.proof.check(id, SYSTEM_ACTOR, now);
        } catch (error) {
          this.logger.warn(`domain ${id}: check failed (${error instanceof Error ? error.message : String(error)}); tried again later`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, lane));
    return due.length;
  }
}
