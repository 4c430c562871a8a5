import { Logger, type OnModuleInit } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayDisconnect } from '@nestjs/websockets';
import {
  LIVE_EVENTS,
  liveCloseSchema,
  liveInputSchema,
  liveOpenSchema,
  liveResizeSchema,
  parseInput,
  type LiveOpenAck,
} from '@dais/shared';
import type { Socket } from 'socket.io';
import { UserRepository } from '../auth/user.repository';
import { EventBus, type ManagerEvent } from '../../infrastructure/realtime/event-bus';
import { refusalOf, userOf } from '../site-events/socket-replies';
import { LiveStreamsService, type LiveSink } from './live-streams.service';

type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

/**
 * Live streams over Socket.IO (terminal, logs, status, file events of one site), on the same
 * connection as the dashboard's events: the {@link EventsGateway} authenticates every connection
 * (and checks its Origin); this gateway checks access on every open and again whenever the user's
 * membership or account changes.
 */
@WebSocketGateway()
export class LiveGateway implements OnModuleInit, OnGatewayDisconnect {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly sinks = new WeakMap<Socket, LiveSink>();

  constructor(
    private readonly streams: LiveStreamsService,
    private readonly users: UserRepository,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe((event) => {
      this.recheck(event).catch((error: unknown) =>
        this.logger.error(`could not recheck live streams: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  }

  handleDisconnect(socket: Socket): void {
    this.streams.closeConnection(socket.id);
  }

  @SubscribeMessage(LIVE_EVENTS.open)
  async open(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<LiveOpenAck> {
    try {
      const request = parseInput(liveOpenSchema, body, 'live stream');
      const streamId = await this.streams.open(userOf(socket), request, this.sinkOf(socket));
      if (!socket.connected) this.streams.closeConnection(socket.id);
      return { ok: true, streamId };
    } catch (error) {
      return refusalOf(error, this.logger, 'live stream message');
    }
  }

  @SubscribeMessage(LIVE_EVENTS.input)
  input(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Ack | undefined {
    try {
      userOf(socket); // An expired session types nothing, even before its connection is ended.
      const { streamId, data } = parseInput(liveInputSchema, body, 'terminal input');
      this.streams.input(this.sinkOf(socket), streamId, data);
      // Keystrokes are not acknowledged one by one: a client that asks for an ack gets one.
      return undefined;
    } catch (error) {
      return refusalOf(error, this.logger, 'live stream message');
    }
  }

  @SubscribeMessage(LIVE_EVENTS.resize)
  resize(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Ack {
    try {
      const { streamId, cols, rows } = parseInput(liveResizeSchema, body, 'resize');
      this.streams.resize(this.sinkOf(socket), streamId, cols, rows);
      return { ok: true };
    } catch (error) {
      return refusalOf(error, this.logger, 'live stream message');
    }
  }

  @SubscribeMessage(LIVE_EVENTS.close)
  close(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Ack {
    try {
      this.streams.close(this.sinkOf(socket), parseInput(liveCloseSchema, body, 'close').streamId);
      return { ok: true };
    } catch (error) {
      return refusalOf(error, this.logger, 'live stream message');
    }
  }

  /** A member removed, a site locked, or an account changed (role, disabled, deleted): streams no longer allowed close. */
  private async recheck(event: ManagerEvent): Promise<void> {
    const viewerOf = async (userId: number) => {
      const user = await this.users.findById(userId);
      return user && !user.disabled ? { id: user.id, role: user.role } : null;
    };
    switch (event.type) {
      case 'member.removed':
        return this.streams.recheck({ userId: event.userId, siteId: event.siteId }, viewerOf);
      case 'site.locked':
        return this.streams.recheck({ siteId: event.siteId }, viewerOf);
      case 'user.changed':
        return this.streams.recheck({ userId: event.userId }, viewerOf);
      case 'operation.updated':
      case 'site.updated':
        return;
    }
  }

  private sinkOf(socket: Socket): LiveSink {
    let sink = this.sinks.get(socket);
    if (!sink) {
      sink = {
        id: socket.id,
        data: (event) => socket.emit(LIVE_EVENTS.data, event),
        message: (event) => socket.emit(LIVE_EVENTS.message, event),
        closed: (event) => socket.emit(LIVE_EVENTS.closed, event),
      };
      this.sinks.set(socket, sink);
    }
    return sink;
  }
}
