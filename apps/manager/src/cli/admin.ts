#!/usr/bin/env node
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, DaisError } from '@dais/shared';
import { loadManagerConfig, type ManagerConfig } from '../config/manager.config';
import { PrismaService } from '../infrastructure/prisma/prisma.service';
import { SecretsKeyError } from '../infrastructure/secrets/secrets-keyring';
import { backupCommand, restoreCommand } from './backup-commands';
import { ensureCatalogue, ensureDatabaseHost } from './catalogue-commands';
import { hostsCommand, routersCommand } from './fleet-commands';
import { CLI_FLAGS, CLI_OPTIONS, UsageError, type CliOptions } from './cli-options';
import { rotateSecretsKeyCommand } from './secrets-commands';
import { createToken, ensureAdmin, resetPassword } from './user-commands';

const USAGE = `Usage:
  admin ensure-admin [--username admin] --token-file <path>
      Creates the admin user if missing. If <path> holds no live token, creates one,
      writes it there (mode 0600) and prints it once. Safe to run again.
  admin create-token --username <name> [--role user|admin] [--name <label>]
      Creates the user if missing (a user unless --role) and prints a new API token for it. An
      existing user's role changes only when --role is given.
  admin reset-password <name> [--stdin]     (or --username <name>)
      Gives the user a new generated password and prints it once (--stdin: the password read
      from standard input instead, printed nowhere); signs them out everywhere and revokes their
      API tokens. Audited.
  admin ensure-catalogue --file <images.json>
      Adds or updates the images listed in the file (see apps/manager/catalogue/).
  admin ensure-database-host --name <name> --engine postgresql|mysql --admin-host <host> --admin-port <port>
                             --admin-user <user> --admin-password-file <path> --site-host <host> --site-port <port>
      Registers (or updates) a database server sites may get databases on.
  admin backup --file <archive.tar.gz>
      Writes one archive of the whole installation: platform database, keys, certificates, every
      site's files and database (docs/backup.md). Sites keep running.
  admin restore --file <archive.tar.gz> [--force]
      Checks the whole archive, then restores it onto this new installation and brings every site
      back. Refuses an installation that already has sites unless --force (its platform database
      is then replaced).
  admin rotate-secrets-key
      Seals every secret kept in PostgreSQL with a new key, then takes the old key out of the key
      file (docs/secrets.md). Safe to interrupt: run it again to finish.
  admin hosts list | add --name <name> --url <url> --peer-id <id> --public-key-file <path> --capacity <sites>
                           [--runtime docker|swarm] | drain <name> | undrain <name> | remove <name>
      The app hosts (orchestrators) the manager drives (docs/fleet.md). add probes the host first and
      refuses one that does not answer, answers as another identity, or runs an incompatible version.
  admin routers list | add --name <name> --url <url> --peer-id <id> --public-key-file <path> | remove <name>
      The routers the manager drives, probed the same way.
  admin routers fill [--force]
      Sends the router every site's routes from PostgreSQL in one request, unless it already holds
      them (same digest; --force sends anyway). For a new or emptied router (docs/deployment.md).`;

const COMMANDS: Record<string, (prisma: PrismaService, options: CliOptions, config: ManagerConfig) => Promise<void>> = {
  'ensure-admin': ensureAdmin,
  'create-token': createToken,
  'reset-password': resetPassword,
  'ensure-catalogue': ensureCatalogue,
  'ensure-database-host': ensureDatabaseHost,
  'rotate-secrets-key': rotateSecretsKeyCommand,
  backup: backupCommand,
  restore: restoreCommand,
  hosts: hostsCommand,
  routers: routersCommand,
};

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine();
  const command = COMMANDS[positionals[0] ?? ''];
  if (!command) throw new UsageError(`unknown command "${positionals[0] ?? ''}"`);
  const config = loadManagerConfig();
  const prisma = new PrismaService(config);
  try {
    await command(prisma, { ...values, args: positionals.slice(1) }, config);
  } finally {
    await prisma.$disconnect();
  }
}

/** The command line, or a usage error (never a stack trace) when it has an unknown or malformed option. */
function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        ...(Object.fromEntries(CLI_OPTIONS.map((option) => [option, { type: 'string' }])) as Record<
          (typeof CLI_OPTIONS)[number],
          { type: 'string' }
        >),
        ...(Object.fromEntries(CLI_FLAGS.map((flag) => [flag, { type: 'boolean' }])) as Record<
          (typeof CLI_FLAGS)[number],
          { type: 'boolean' }
        >),
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

main().then(
  // Done: a kept-alive connection to the orchestrator (reset-password) must not hold the command open.
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`admin: ${error.message}\n\n${USAGE}`);
    else if (error instanceof ConfigError || error instanceof DaisError || error instanceof SecretsKeyError)
      console.error(`admin: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
