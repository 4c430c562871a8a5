import type { ManagerConfig } from '../config/manager.config';
import { RouteStateRepository } from '../features/routing/route-state.repository';
import { RouteStateService, type RouterFillProgress } from '../features/routing/route-state.service';
import { RouterClient } from '../infrastructure/peers/peer-clients';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { UsageError, type CliOptions } from './cli-options';

/**
 * `admin routers fill [--force]`: sends the router the whole route state from PostgreSQL in one
 * request if its digest differs (a new, emptied or drifted router), printing each stage.
 */
/** `routers fill [--force]` (the other `routers` actions are the fleet's: fleet-commands.ts). */
export async function fillRouterCommand(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  const [action, ...rest] = options.args ?? [];
  if (action !== 'fill' || rest.length > 0) throw new UsageError('usage: routers fill [--force]');
  const service = new RouteStateService(new RouteStateRepository(prisma), new RouterClient(config), config);
  console.log(`Filling the router at ${config.router.url}`);
  const result = await service.fillRouter(undefined, { force: options.force === true, onProgress: printProgress });
  const seconds = (result.ms / 1000).toFixed(2);
  if (!result.sent) {
    console.log(`The router already routes these ${result.sites} sites (same digest): nothing sent (${seconds} s).`);
    return;
  }
  const applied = result.applied;
  console.log(
    `The router now routes ${applied?.sites ?? result.sites} sites (${applied?.added ?? 0} added, ${applied?.removed ?? 0} removed, ` +
      `${applied?.changed ?? 0} changed; nginx generation ${applied?.nginxGeneration ?? '?'}) in ${seconds} s.`,
  );
  if (applied && applied.digest !== result.digest)
    console.log(
      `Warning: the router's digest ${applied.digest.slice(0, 12)} differs from the desired ${result.digest.slice(0, 12)}; run fill again.`,
    );
}

function printProgress(progress: RouterFillProgress): void {
  switch (progress.stage) {
    case 'desired':
      console.log(
        `  desired: ${progress.sites} sites in PostgreSQL, digest ${progress.digest.slice(0, 12)} (read in ${Math.round(progress.ms)} ms)`,
      );
      return;
    case 'router':
      console.log(`  router:  ${progress.summary.sites} sites, digest ${progress.summary.digest.slice(0, 12)}`);
      return;
    case 'sending':
      console.log(`  sending: ${progress.sites} sites, ${(progress.bytes / 2 ** 20).toFixed(2)} MiB in one request…`);
      return;
  }
}
