import { Logger, type OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { DaisError, isDaisError, parseInput, siteSubscriptionSchema, SOCKET_EVENTS } from '@dais/shared';
import type { Server, Socket } from 'socket.io';
import { bearerToken } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { sessionTokenFromHeader } from '../auth/session-cookie';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { OperationRepository } from '../operations/operation.repository';
import { toOperationView } from '../operations/operation-view';
import { SitesService } from '../sites/sites.service';
import { EventBus, type ManagerEvent } from '../../infrastructure/realtime/event-bus';
import { refusalOf, userOf } from './socket-replies';

/** How a socket signed in: kept to check again when the user's sessions or tokens change. */
interface Credential {
  token?: string;
  session?: string;
}

/** What each socket carries once authenticated. */
interface SocketData {
  user?: AuthenticatedUser;
  credential: Credential;
}

/** What a client gets back for each message it sends. */
type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

/** Longest a timer may wait (Node's limit); a session living longer is simply checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** When the database cannot say whether a session still lives, ask again after this long. */
const RECHECK_AFTER_ERROR_MS = 5_000;

const roomOf = (siteId: number) => `site:${siteId}`;
const siteIdOfRoom = (room: string): number | null => (/^site:(\d+)$/.test(room) ? Number(room.slice(5)) : null);

/**
 * Live updates for the dashboard: a client authenticates when connecting, subscribes to a site
 * (membership checked on every subscription) and then receives that site's operation changes and,
 * when an operation ends, the site itself. A member removed from a site stops receiving them; a
 * connection whose session expires, is signed out or whose account changes is checked again and
 * ended if its credential no longer signs in.
 */
@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, OnModuleInit {
  private readonly logger = new Logger(EventsGateway.name);
  @WebSocketServer() private server!: Server;

  constructor(
    private readonly auth: AuthService,
    private readonly sites: SitesService,
    private readonly operations: OperationRepository,
    private readonly bus: EventBus,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      this.authenticate(socket).then(
        ({ user, credential }) => {
          Object.assign(socket.data as SocketData, { user, credential });
          next();
        },
        // The code tells the dashboard whether to sign in again or to retry (Socket.IO clients do not
        // reconnect by themselves after a refusal here, e.g. while a restarted manager reaches its database).
        (error: unknown) =>
          next(
            Object.assign(new Error(isDaisError(error) ? error.message : 'Authentication failed.'), {
              data: { code: isDaisError(error) ? error.code : 'INTERNAL' },
            }),
          ),
      );
    });
  }

  handleConnection(socket: Socket): void {
    this.watchExpiry(socket);
  }

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe((event) => {
      this.relay(event).catch((error: unknown) =>
        this.logger.error(`could not relay ${event.type}: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  }

  private async relay(event: ManagerEvent): Promise<void> {
    switch (event.type) {
      case 'operation.updated':
        this.server.to(roomOf(event.siteId)).emit(SOCKET_EVENTS.operationUpdated, event.operation);
        return;
      case 'site.updated':
        this.server.to(roomOf(event.siteId)).emit(SOCKET_EVENTS.siteUpdated, event.site);
        return;
      case 'member.removed':
        return this.evict(event.siteId, event.userId);
      case 'user.changed':
        return this.recheckUser(event.userId);
      case 'site.locked':
        // Owners still see a locked site (GET answers), so its operation updates may still reach them.
        return;
    }
  }

  /**
   * A user's account changed: sockets whose session or token no longer signs in are told and
   * disconnected; the others take the user's current role and leave sites they may no longer see.
   */
  private async recheckUser(userId: number): Promise<void> {
    for (const socket of await this.server.fetchSockets()) {
      const data = socket.data as SocketData;
      if (data.user?.id !== userId) continue;
      const user = await this.userFor(data.credential, data.user.ip);
      if (!user) {
        socket.emit(SOCKET_EVENTS.sessionEnded, { reason: 'Your session ended; sign in again.' });
        socket.disconnect(true);
        continue;
      }
      data.user = user;
      for (const room of socket.rooms) {
        const siteId = siteIdOfRoom(room);
        if (siteId !== null && !(await this.sites.canView(user, siteId))) socket.leave(room);
      }
    }
  }

  /**
   * A session-cookie connection is checked again when its session is due to expire: ended if the
   * session is gone, followed further if it was extended meanwhile (by the person's requests).
   * Between the expiry and this check, every message is refused already ({@link userOf}).
   */
  private watchExpiry(socket: Socket): void {
    const expiresAt = (socket.data as SocketData).user?.session?.expiresAt;
    if (!expiresAt) return;
    this.recheckAfter(socket, expiresAt.getTime() - Date.now());
  }

  private recheckAfter(socket: Socket, delayMs: number): void {
    const timer = setTimeout(() => void this.recheckExpiry(socket), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  private async recheckExpiry(socket: Socket): Promise<void> {
    if (!socket.connected) return;
    const data = socket.data as SocketData;
    let user: AuthenticatedUser | null;
    try {
      user = await this.userFor(data.credential, data.user?.ip ?? null);
    } catch (error) {
      this.logger.warn(`could not check an expiring session: ${error instanceof Error ? error.message : String(error)}`);
      this.recheckAfter(socket, RECHECK_AFTER_ERROR_MS);
      return;
    }
    if (!user) {
      socket.emit(SOCKET_EVENTS.sessionEnded, { reason: 'Your session expired; sign in again.' });
      socket.disconnect(true);
      return;
    }
    data.user = user;
    this.watchExpiry(socket);
  }

  /** Takes a user's sockets (on this process) out of a site's room unless they may still see it (an admin). */
  private async evict(siteId: number, userId: number): Promise<void> {
    const sockets = (await this.server.in(roomOf(siteId)).fetchSockets()).filter(
      (socket) => (socket.data as { user?: AuthenticatedUser }).user?.id === userId,
    );
    for (const socket of sockets) {
      const user = (socket.data as { user?: AuthenticatedUser }).user;
      if (user && !(await this.sites.canView(user, siteId))) socket.leave(roomOf(siteId));
    }
  }

  @SubscribeMessage(SOCKET_EVENTS.subscribeSite)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    return this.acknowledge(async () => {
      const { siteId } = parseInput(siteSubscriptionSchema, body, 'subscription');
      await this.assertCanView(socket, siteId);
      await socket.join(roomOf(siteId));
      // Removed from the site between the check and the join? Then the eviction may have run already.
      await this.assertCanView(socket, siteId).catch(async (error: unknown) => {
        await socket.leave(roomOf(siteId));
        throw error;
      });
      // Send the current state at once, so a client that subscribes late is never stale.
      const latest = await this.operations.latestForSite(siteId);
      if (latest) socket.emit(SOCKET_EVENTS.operationUpdated, toOperationView(latest));
    });
  }

  @SubscribeMessage(SOCKET_EVENTS.unsubscribeSite)
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    return this.acknowledge(async () => {
      const { siteId } = parseInput(siteSubscriptionSchema, body, 'subscription');
      await socket.leave(roomOf(siteId));
    });
  }

  private async assertCanView(socket: Socket, siteId: number): Promise<void> {
    if (!(await this.sites.canView(userOf(socket), siteId))) {
      throw new DaisError('SITE_NOT_FOUND', `There is no site ${siteId}, or you are not one of its members.`);
    }
  }

  /** A browser's session cookie, or a script's API token (`auth: { token }` or an Authorization header). */
  private async authenticate(socket: Socket): Promise<SocketData> {
    const auth = socket.handshake.auth as { token?: unknown };
    const token = typeof auth.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
    const session = sessionTokenFromHeader(socket.handshake.headers.cookie);
    const credential: Credential = token ? { token } : session ? { session } : {};
    const user = await this.userFor(credential, socket.handshake.address || null);
    if (!user) throw new DaisError('UNAUTHENTICATED', 'Sign in, or connect with a valid API token (auth: { token }).');
    return { user, credential };
  }

  private userFor(credential: Credential, ip: string | null): Promise<AuthenticatedUser | null> {
    if (credential.token) return this.auth.userFromToken(credential.token, ip);
    if (credential.session) return this.auth.userFromSession(credential.session, ip);
    return Promise.resolve(null);
  }

  private async acknowledge(action: () => Promise<void>): Promise<Ack> {
    try {
      await action();
      return { ok: true };
    } catch (error) {
      return refusalOf(error, this.logger, 'socket message');
    }
  }
}
