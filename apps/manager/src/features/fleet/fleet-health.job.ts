import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { FleetService } from './fleet.service';

/**
 * Probes every registered app host and router once per interval for the whole cluster (a queue
 * scheduler, not one timer per worker) and records health, version, site count and last error.
 */
@Injectable()
export class FleetHealthJob implements OnApplicationBootstrap {
  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly fleet: FleetService,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.schedule('fleet-health', this.config.fleetHealthIntervalMs, () => this.fleet.probeAll());
  }
}
