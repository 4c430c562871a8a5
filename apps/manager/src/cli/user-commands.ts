import { readFile, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { passwordSchema, usernameSchema } from '@dais/shared';
import { AuditService } from '../features/audit/audit.service';
import { AccessRevocation } from '../features/auth/access-revocation';
import { generatePassword, hashPassword } from '../features/auth/password';
import { generateApiToken, looksLikeApiToken } from '../features/auth/api-token';
import { SessionRepository } from '../features/auth/session.repository';
import { UserRepository } from '../features/auth/user.repository';
import { Clock } from '../infrastructure/clock';
import { OrchestratorClient } from '../infrastructure/peers/peer-clients';
import type { ManagerConfig } from '../config/manager.config';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { EventBus } from '../infrastructure/realtime/event-bus';
import { RedisConnections } from '../infrastructure/redis/redis.connections';
import { UsageError, type CliOptions } from './cli-options';

function usernameOf(options: CliOptions, fallback?: string): string {
  const username = options.username ?? options.args?.[0] ?? fallback;
  if (!username || !usernameSchema.safeParse(username).success)
    throw new UsageError('--username must be 1-32 lowercase letters, digits, _ or -, starting with a letter');
  return username;
}

/** `ensure-admin`: the admin user, and a live token in the token file (printed only when new). */
export async function ensureAdmin(prisma: PrismaService, options: CliOptions): Promise<void> {
  const username = usernameOf(options, 'admin');
  const tokenFile = options['token-file'];
  if (!tokenFile) throw new UsageError('--token-file is required');
  const users = new UserRepository(prisma);
  const admin = await users.ensureUser(username, 'admin');
  const userId = admin.id;
  if (admin.passwordHash === null) {
    const password = generatePassword();
    await users.update(userId, { passwordHash: await hashPassword(password), passwordChangedAt: new Date() });
    console.log(`admin user "${username}" can sign in with the password ${password} (shown only here; change it after signing in)`);
  }
  const existing = (await readFile(tokenFile, 'utf8').catch(() => '')).trim();
  if (looksLikeApiToken(existing) && (await users.isTokenLive(existing))) {
    console.log(`admin user "${username}" ready; its API token in ${tokenFile} is unchanged`);
    return;
  }
  const token = generateApiToken();
  await users.addToken(userId, 'setup', token);
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  console.log(`admin user "${username}" ready; new API token (also saved in ${tokenFile}, shown only here):\n  ${token}`);
}

/**
 * `create-token`: a new token for a user (created if missing, as a `user` unless `--role`), printed
 * once. An existing user keeps their role unless `--role` is given: a token for the admin must not
 * make them a user.
 */
export async function createToken(prisma: PrismaService, options: CliOptions): Promise<void> {
  const role = options.role;
  if (role !== undefined && role !== 'admin' && role !== 'user') throw new UsageError('--role must be user or admin');
  const users = new UserRepository(prisma);
  const username = usernameOf(options);
  const existing = role === undefined ? await users.findByUsername(username) : null;
  const userId = (existing ?? (await users.ensureUser(username, role ?? 'user'))).id;
  const token = generateApiToken();
  await users.addToken(userId, options.name ?? 'cli', token);
  process.stdout.write(`${token}\n`);
}

/** The new password from standard input (`--stdin`): one line, its line ending not part of it. */
async function passwordFromStdin(): Promise<string> {
  const password = (await text(process.stdin)).replace(/\r?\n$/, '');
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) throw new UsageError(`the password on standard input ${checked.error.issues[0]?.message ?? 'is not valid'}`);
  return password;
}

/**
 * `reset-password <name>`: a new password for an existing user, generated and printed once, or read
 * from standard input (`--stdin`) and printed nowhere; every session, API token, live connection and
 * SSH session of theirs ends, as with an admin's reset in the dashboard, and the audit log says so.
 * For an admin who lost theirs (or an account to hand over).
 */
export async function resetPassword(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  const username = usernameOf(options);
  const users = new UserRepository(prisma);
  const user = await users.findByUsername(username);
  if (!user) throw new UsageError(`there is no user "${username}"`);
  const password = options.stdin ? await passwordFromStdin() : generatePassword();
  await users.update(user.id, { passwordHash: await hashPassword(password), passwordChangedAt: new Date() });
  const redis = new RedisConnections(config);
  try {
    const access = new AccessRevocation(
      new SessionRepository(prisma),
      users,
      new EventBus(redis),
      new OrchestratorClient(config),
      new Clock(),
    );
    await access.endAccount(user.id, { reason: 'credentials-changed', revokeTokens: true });
  } finally {
    await redis.onModuleDestroy();
  }
  await new AuditService(prisma).record({
    actor: { id: null, username: 'dais-admin' },
    action: 'user.password.reset',
    details: { userId: user.id, username, from: options.stdin ? 'stdin' : 'generated' },
  });
  if (options.stdin) console.log(`user "${username}" can now sign in with the password given; every session and API token of theirs ended`);
  else console.log(`user "${username}" can now sign in with the password ${password} (shown only here; change it after signing in)`);
}
