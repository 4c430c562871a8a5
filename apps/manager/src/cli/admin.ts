import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '@dais/shared';
import { generateApiToken, looksLikeApiToken } from '../auth/api-token';
import { UserRepository } from '../auth/user.repository';
import { loadManagerConfig } from '../config/manager.config';
import { PrismaService } from '../database/prisma.service';

const USAGE = `Usage:
  admin ensure-admin [--username admin] --token-file <path>
      Creates the admin user if missing. If <path> holds no live token, creates one,
      writes it there (mode 0600) and prints it once. Safe to run again.
  admin create-token --username <name> [--role user|admin] [--name <label>]
      Creates the user if missing and prints a new API token for it.`;

const USERNAME = /^[a-z][a-z0-9_-]{0,63}$/;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'token-file': { type: 'string' } },
  });
  const command = positionals[0];
  if (command !== 'ensure-admin' && command !== 'create-token') throw new UsageError(`unknown command "${command ?? ''}"`);
  const username = values.username ?? (command === 'ensure-admin' ? 'admin' : undefined);
  if (!username || !USERNAME.test(username))
    throw new UsageError('--username must be lowercase letters, digits, _ or -, starting with a letter');
  const role = command === 'ensure-admin' ? 'admin' : (values.role ?? 'user');
  if (role !== 'admin' && role !== 'user') throw new UsageError('--role must be user or admin');

  const prisma = new PrismaService(loadManagerConfig());
  try {
    const users = new UserRepository(prisma);
    const userId = await users.ensureUser(username, role);
    if (command === 'create-token') {
      const token = generateApiToken();
      await users.addToken(userId, values.name ?? 'cli', token);
      process.stdout.write(`${token}\n`);
      return;
    }
    const tokenFile = values['token-file'];
    if (!tokenFile) throw new UsageError('--token-file is required');
    const existing = (await readFile(tokenFile, 'utf8').catch(() => '')).trim();
    if (looksLikeApiToken(existing) && (await users.isTokenLive(existing))) {
      console.log(`admin user "${username}" ready; its API token in ${tokenFile} is unchanged`);
      return;
    }
    const token = generateApiToken();
    await users.addToken(userId, 'setup', token);
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    console.log(`admin user "${username}" ready; new API token (also saved in ${tokenFile}, shown only here):\n  ${token}`);
  } finally {
    await prisma.$disconnect();
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`admin: ${error.message}\n\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
