import { AuditService } from '../features/audit/audit.service';
import { generatePassword, hashPassword } from '../features/auth/password';
import { UserRepository } from '../features/auth/user.repository';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';

/**
 * Creates the first admin of an installation that has no account at all, and returns the block
 * that shows its generated password. Returns null on every later start (someone exists), so the
 * password is printed once, by one manager, whatever the number of managers starting.
 */
export async function bootstrapFirstAdmin(prisma: PrismaService, username: string): Promise<string | null> {
  const password = generatePassword();
  const admin = await new UserRepository(prisma).createFirstUser({
    username,
    role: 'admin',
    passwordHash: await hashPassword(password),
  });
  if (!admin) return null;
  await new AuditService(prisma).record({
    actor: { id: null, username: 'system' },
    action: 'user.bootstrap',
    details: { userId: admin.id, username, role: 'admin' },
  });
  return firstAdminBlock(username, password);
}

/** One block an admin cannot miss in `docker-compose logs manager`; every line says what it is. */
function firstAdminBlock(username: string, password: string): string {
  const rule = '='.repeat(72);
  return [
    rule,
    'Dais: the first admin account was created.',
    `  username: ${username}`,
    `  password: ${password}`,
    'This password is shown only this once. Sign in and change it, or set a new one with',
    `  dais-admin reset-password ${username}`,
    rule,
  ].join('\n');
}
