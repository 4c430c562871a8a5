import { Logger, type OnModuleInit } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import { DaisError, isDaisError, parseInput, siteSubscriptionSchema, SOCKET_EVENTS } from '@dais/shared';
import type { Server, Socket } from 'socket.io';
import { bearerToken } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { sessionTokenFromHeader } from '../auth/session-cookie';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { OperationRepository } from '../operations/operation.repository';
import { toOperationView } from '../operations/operation-view';
import { SitesService } from '../sites/sites.service';
import { EventBus } from './event-bus';

/** What a client gets back for each message it sends. */
type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

const roomOf = (siteId: number) => `site:${siteId}`;

/**
 * Live updates for the dashboard: a client authenticates when connecting, subscribes to a site
 * (membership checked on every subscription) and then receives that site's operation changes.
 */
@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnModuleInit {
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
        (user) => {
          (socket.data as { user?: AuthenticatedUser }).user = user;
          next();
        },
        (error: unknown) => next(new Error(isDaisError(error) ? error.message : 'Authentication failed.')),
      );
    });
  }

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe((event) => {
      this.server.to(roomOf(event.siteId)).emit(SOCKET_EVENTS.operationUpdated, event.operation);
    });
  }

  @SubscribeMessage(SOCKET_EVENTS.subscribeSite)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    return this.acknowledge(async () => {
      const { siteId } = parseInput(siteSubscriptionSchema, body, 'subscription');
      if (!(await this.sites.canView(userOf(socket), siteId))) {
        throw new DaisError('SITE_NOT_FOUND', `There is no site ${siteId}, or you are not one of its members.`);
      }
      await socket.join(roomOf(siteId));
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

  /** A browser's session cookie, or a script's API token (`auth: { token }` or an Authorization header). */
  private async authenticate(socket: Socket): Promise<AuthenticatedUser> {
    const ip = socket.handshake.address || null;
    const auth = socket.handshake.auth as { token?: unknown };
    const token = typeof auth.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
    const session = sessionTokenFromHeader(socket.handshake.headers.cookie);
    const user = token ? await this.auth.userFromToken(token, ip) : session ? await this.auth.userFromSession(session, ip) : null;
    if (!user) throw new DaisError('UNAUTHENTICATED', 'Sign in, or connect with a valid API token (auth: { token }).');
    return user;
  }

  private async acknowledge(action: () => Promise<void>): Promise<Ack> {
    try {
      await action();
      return { ok: true };
    } catch (error) {
      if (isDaisError(error)) return { ok: false, error: { code: error.code, message: error.message } };
      this.logger.error('socket message failed', error instanceof Error ? error.stack : String(error));
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
    }
  }
}

function userOf(socket: Socket): AuthenticatedUser {
  const user = (socket.data as { user?: AuthenticatedUser }).user;
  if (!user) throw new DaisError('UNAUTHENTICATED', 'Not authenticated.');
  return user;
}
