import type { Logger } from '@nestjs/common';
import { DaisError, isDaisError } from '@dais/shared';
import type { Socket } from 'socket.io';
import type { AuthenticatedUser } from '../auth/authenticated-user';

/** The answer a socket gets when its message is refused. */
export interface SocketRefusal {
  ok: false;
  error: { code: string; message: string };
}

/**
 * The user a socket authenticated as (the gateway's middleware sets it, and keeps it current), as
 * long as its session has not expired: checked on every message, not only when connecting.
 */
export function userOf(socket: Socket): AuthenticatedUser {
  const user = (socket.data as { user?: AuthenticatedUser }).user;
  if (!user) throw new DaisError('UNAUTHENTICATED', 'Not authenticated.');
  if (user.session && user.session.expiresAt.getTime() <= Date.now()) {
    throw new DaisError('UNAUTHENTICATED', 'Your session expired; sign in again.');
  }
  return user;
}

/** A coded error as the client sees it; anything else is logged and answered without its details. */
export function refusalOf(error: unknown, logger: Logger, what: string): SocketRefusal {
  if (isDaisError(error)) return { ok: false, error: { code: error.code, message: error.message } };
  logger.error(`${what} failed`, error instanceof Error ? error.stack : String(error));
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
}
