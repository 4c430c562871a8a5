import { Injectable } from '@nestjs/common';
import { DaisError, type createUserRequestSchema, type updateUserRequestSchema, type UserView } from '@dais/shared';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../events/event-bus';
import { assertAdmin, type AuthenticatedUser } from '../auth/authenticated-user';
import { hashPassword } from '../auth/password';
import { SessionRepository } from '../auth/session.repository';
import { UserRepository } from '../auth/user.repository';
import { toUserView } from './user-view';

/** Account administration (admins only). */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
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
    const user = await this.users.create({
      username: request.username,
      displayName: request.displayName,
      role: request.role,
      passwordHash: request.password ? await hashPassword(request.password) : null,
    });
    if (!user) throw new DaisError('NAME_TAKEN', `The username ${request.username} is taken.`);
    await this.audit.record({ actor, action: 'user.create', details: { userId: user.id, username: user.username, role: user.role } });
    return toUserView(user);
  }

  /** Changes an account; a new password or disabling it signs the user out everywhere. */
  async update(actor: AuthenticatedUser, id: number, request: z.output<typeof updateUserRequestSchema>): Promise<UserView> {
    assertAdmin(actor, 'change users');
    if (id === actor.id && (request.role === 'user' || request.disabled === true)) {
      throw new DaisError('FORBIDDEN', 'Admins cannot demote or disable themselves (ask another admin).');
    }
    if (!(await this.users.findById(id))) throw new DaisError('NOT_FOUND', `There is no user ${id}.`);
    const { password, ...fields } = request;
    const user = await this.users.update(id, {
      ...fields,
      ...(password ? { passwordHash: await hashPassword(password), passwordChangedAt: new Date() } : {}),
    });
    if (password || request.disabled) await this.sessions.deleteForUser(id);
    await this.audit.record({ actor, action: 'user.update', details: { userId: id, fields: Object.keys(request) } });
    // Live connections follow at once: signed out, or seeing only what the new role allows.
    await this.events.userChanged(id);
    return toUserView(user);
  }
}
