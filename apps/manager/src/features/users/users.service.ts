import { Injectable } from '@nestjs/common';
import { DaisError, type createUserRequestSchema, type updateUserRequestSchema, type UserView } from '@dais/shared';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../../infrastructure/realtime/event-bus';
import { AccessRevocation } from '../auth/access-revocation';
import { assertAdmin, type AuthenticatedUser } from '../auth/authenticated-user';
import { hashPassword } from '../auth/password';
import { UserRepository } from '../auth/user.repository';
import { toUserView } from './user-view';

/** Account administration (admins only). */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly access: AccessRevocation,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async list(actor: AuthenticatedUser, limit: number, cursor?: number): Promise<{ users: UserView[]; nextCursor: number | null }> {
    assertAdmin(actor, 'list users');
    const users = await this.users.list(limit, cursor);
    return { users: users.map(toUserView), nextCursor: users.length === limit ? (users.at(-1)?.id ?? null) : null };
  }

  async create(actor: AuthenticatedUser, request: z.output<typeof createUserRequestSchema>): Promise<UserView> {
    assertAdmin(actor, 'create users');
    if (request.email && (await this.users.findByEmail(request.email))) throw emailTaken(request.email);
    const user = await this.users.create({
      username: request.username,
      displayName: request.displayName,
      role: request.role,
      passwordHash: request.password ? await hashPassword(request.password) : null,
      email: request.email ?? null,
    });
    if (!user) throw new DaisError('NAME_TAKEN', `The username ${request.username} (or that e-mail address) is taken.`);
    await this.audit.record({ actor, action: 'user.create', details: { userId: user.id, username: user.username, role: user.role } });
    return toUserView(user);
  }

  /**
   * Changes an account. Disabling it ends every session, live connection and SSH session at once
   * (its API tokens pause while it is disabled); a new password also revokes the API tokens, unless
   * the admin asked to keep the sessions.
   */
  async update(actor: AuthenticatedUser, id: number, request: z.output<typeof updateUserRequestSchema>): Promise<UserView> {
    assertAdmin(actor, 'change users');
    if (id === actor.id && (request.role === 'user' || request.disabled === true)) {
      throw new DaisError('FORBIDDEN', 'Admins cannot demote or disable themselves (ask another admin).');
    }
    if (!(await this.users.findById(id))) throw new DaisError('NOT_FOUND', `There is no user ${id}.`);
    const { password, keepSessions, ...fields } = request;
    const user = await this.users.updateUnique(id, {
      ...fields,
      ...(password ? { passwordHash: await hashPassword(password), passwordChangedAt: new Date() } : {}),
    });
    if (!user) throw emailTaken(request.email ?? '');
    const reset = password !== undefined && keepSessions !== true;
    if (request.disabled === true || reset) {
      await this.access.endAccount(id, { reason: request.disabled ? 'account-disabled' : 'credentials-changed', revokeTokens: reset });
    } else {
      // Live connections follow at once: seeing only what the new role allows.
      await this.events.userChanged(id);
    }
    await this.audit.record({ actor, action: 'user.update', details: { userId: id, fields: Object.keys(request) } });
    return toUserView(user);
  }
}

/** Another account has this address (admins may know: they see every account). */
export function emailTaken(email: string): DaisError {
  return new DaisError('EMAIL_TAKEN', `Another account already has the e-mail address ${email}.`, {
    issues: [{ path: 'email', rule: 'unique', message: 'another account already has this address' }],
  });
}
