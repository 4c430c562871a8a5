import { readFile } from 'node:fs/promises';
import { addAppHostRequestSchema, addRouterRequestSchema, fleetNameSchema, parseInput } from '@dais/shared';
import type { ManagerConfig } from '../config/manager.config';
import { AuditService } from '../features/audit/audit.service';
import type { AppHostRecord, RouterRecord } from '../features/fleet/fleet-records';
import { SignedFleetPeers } from '../features/fleet/fleet-peers';
import { FleetRepository } from '../features/fleet/fleet.repository';
import { FleetService } from '../features/fleet/fleet.service';
import { Clock } from '../infrastructure/clock';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { UsageError, type CliOptions } from './cli-options';
import { fillRouterCommand } from './router-fill-commands';

/** Who the audit log names for changes made with the admin tool. */
const CLI_ACTOR = { id: null, username: 'dais-admin' };

function fleetService(prisma: PrismaService, config: ManagerConfig): FleetService {
  return new FleetService(new FleetRepository(prisma, config), new SignedFleetPeers(config), new AuditService(prisma), new Clock());
}

/** The name a subcommand acts on (`hosts drain <name>`), checked like the API checks it. */
function nameArgument(options: CliOptions): string {
  const name = options.args?.[1] ?? options.name;
  if (!name) throw new UsageError('name the host or router: e.g. `hosts drain <name>`');
  return parseInput(fleetNameSchema, name, 'name');
}

/** The peer's public key (PEM) from --public-key-file. */
async function publicKeyOf(options: CliOptions): Promise<string> {
  if (!options['public-key-file']) throw new UsageError('--public-key-file is required (the peer’s <id>.pub from its keys folder)');
  return readFile(options['public-key-file'], 'utf8');
}

function lastSeenLine(entry: RouterRecord): string {
  const seen = entry.lastSeen;
  const version = seen.version ? `${seen.version.package} (protocol ${seen.version.protocol})` : 'version unknown';
  const health = seen.health ?? 'not probed yet';
  const sites = seen.siteCount === null ? '' : `, ${seen.siteCount} site(s)`;
  const at = seen.lastSeenAt ? `, seen ${seen.lastSeenAt.toISOString()}` : '';
  const error = seen.lastError ? `\n    last error: ${seen.lastError}` : '';
  return `${health}, ${version}${sites}${at}${error}`;
}

function hostLine(host: AppHostRecord): string {
  return `${host.name}  ${host.url}  id=${host.peerId}  ${host.runtime}  ${host.state}  capacity=${host.capacity}  ${lastSeenLine(host)}`;
}

function routerLine(router: RouterRecord): string {
  return `${router.name}  ${router.url}  id=${router.peerId}  ${lastSeenLine(router)}`;
}

/** `hosts list|add|drain|undrain|remove`: the app hosts (orchestrators), as `/api/admin/app-hosts` does. */
export async function hostsCommand(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  const fleet = fleetService(prisma, config);
  switch (options.args?.[0] ?? '') {
    case 'list': {
      const hosts = await fleet.listAppHosts();
      console.log(hosts.length === 0 ? 'no app hosts registered' : hosts.map(hostLine).join('\n'));
      return;
    }
    case 'add': {
      const request = parseInput(
        addAppHostRequestSchema,
        {
          name: options.name,
          url: options.url,
          peerId: options['peer-id'],
          publicKey: await publicKeyOf(options),
          runtime: options.runtime ?? 'docker',
          capacity: options.capacity === undefined ? undefined : Number(options.capacity),
        },
        'app host',
      );
      console.log(`added app host ${hostLine(await fleet.addAppHost(CLI_ACTOR, request))}`);
      return;
    }
    case 'drain':
      console.log(`app host ${hostLine(await fleet.drain(CLI_ACTOR, nameArgument(options)))}`);
      return;
    case 'undrain':
      console.log(`app host ${hostLine(await fleet.undrain(CLI_ACTOR, nameArgument(options)))}`);
      return;
    case 'remove': {
      const name = nameArgument(options);
      await fleet.removeAppHost(CLI_ACTOR, name);
      console.log(`removed app host "${name}"`);
      return;
    }
    default:
      throw new UsageError(`hosts: unknown subcommand "${options.args?.[0] ?? ''}" (list, add, drain, undrain, remove)`);
  }
}

/** `routers list|add|remove`: the routers, as `/api/admin/routers` does. */
export async function routersCommand(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  const fleet = fleetService(prisma, config);
  switch (options.args?.[0] ?? '') {
    case 'list': {
      const routers = await fleet.listRouters();
      console.log(routers.length === 0 ? 'no routers registered' : routers.map(routerLine).join('\n'));
      return;
    }
    case 'add': {
      const request = parseInput(
        addRouterRequestSchema,
        { name: options.name, url: options.url, peerId: options['peer-id'], publicKey: await publicKeyOf(options) },
        'router',
      );
      console.log(`added router ${routerLine(await fleet.addRouter(CLI_ACTOR, request))}`);
      return;
    }
    case 'remove': {
      const name = nameArgument(options);
      await fleet.removeRouter(CLI_ACTOR, name);
      console.log(`removed router "${name}"`);
      return;
    }
    case 'fill':
      return fillRouterCommand(prisma, options, config);
    default:
      throw new UsageError(`routers: unknown subcommand "${options.args?.[0] ?? ''}" (list, add, remove, fill)`);
  }
}
