import { Module } from '@nestjs/common';
import { FleetPeers, SignedFleetPeers } from './fleet-peers';
import { FleetStartup } from './fleet-startup';
import { FleetRepository } from './fleet.repository';
import { FleetService } from './fleet.service';

/**
 * The fleet registry (docs/fleet.md), in every manager process: the API serves its admin routes
 * (fleet.controller.ts), workers run its health job, and each registers the local peers at start.
 */
@Module({
  providers: [FleetRepository, { provide: FleetPeers, useClass: SignedFleetPeers }, FleetService, FleetStartup],
  exports: [FleetService],
})
export class FleetModule {}
