import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  DaisError,
  isDaisError,
  orchestratorStreamPath,
  type LiveClosed,
  type LiveData,
  type LiveMessage,
  type LiveOpen,
} from '@dais/shared';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { OrchestratorStreams, type OrchestratorStream } from '../../infrastructure/peers/orchestrator-streams';
import { changeableSite } from '../sites/site-access';
import { SiteRepository, type SiteViewer } from '../sites/site.repository';

/** Where a browser's stream events go (its Socket.IO socket). */
export interface LiveSink {
  /** Identifies the browser connection: its streams end with it. */
  readonly id: string;
  data(event: LiveData): void;
  message(event: LiveMessage): void;
  closed(event: LiveClosed): void;
}

/** Most streams one browser connection may hold open at once. */
export const MAX_STREAMS_PER_CONNECTION = 8;

interface OpenStream {
  id: string;
  siteId: number;
  kind: LiveOpen['kind'];
  userId: number;
  sink: LiveSink;
  upstream: OrchestratorStream | null;
  /** Set once closed by the manager, so the upstream's own close is not reported twice. */
  ended: boolean;
  /** The code of the orchestrator's last `error` message, reported with the close. */
  errorCode?: string;
}

/**
 * The browser's live streams of a site, relayed from the orchestrator: opened only for a user who
 * may use the site (a member or an admin, and not an owner of a site an admin locked), closed when
 * the browser disconnects or closes it, when the orchestrator ends it, and when the user loses access.
 */
@Injectable()
export class LiveStreamsService {
  private readonly logger = new Logger(LiveStreamsService.name);
  private readonly streams = new Map<string, OpenStream>();

  constructor(
    private readonly sites: SiteRepository,
    private readonly orchestrator: OrchestratorStreams,
  ) {}

  /** Opens a stream for `user` and returns its id; events go to `sink`. */
  async open(user: AuthenticatedUser, request: LiveOpen, sink: LiveSink): Promise<string> {
    await this.assertAccess(user, request.siteId);
    if ([...this.streams.values()].filter((stream) => stream.sink.id === sink.id).length >= MAX_STREAMS_PER_CONNECTION) {
      throw new DaisError('RATE_LIMITED', `At most ${MAX_STREAMS_PER_CONNECTION} live streams per connection; close one first.`);
    }
    const stream: OpenStream = {
      id: randomBytes(12).toString('base64url'),
      siteId: request.siteId,
      kind: request.kind,
      userId: user.id,
      sink,
      upstream: null,
      ended: false,
    };
    this.streams.set(stream.id, stream);
    try {
      stream.upstream = await this.orchestrator.open(orchestratorStreamPath(request), {
        onBytes: (data, which) => sink.data({ streamId: stream.id, stream: which, data }),
        onMessage: (message) => {
          if (message.type === 'error') stream.errorCode = message.code;
          sink.message({ streamId: stream.id, message });
        },
        onClose: () => this.end(stream, 'The stream ended.', stream.errorCode),
      });
    } catch (error) {
      this.streams.delete(stream.id);
      throw error;
    }
    // Closed (disconnect, eviction) while the orchestrator was answering: do not leave it open.
    if (stream.ended) stream.upstream.close();
    this.logger.log(`user ${user.id} opened a ${request.kind} stream of site ${request.siteId}`);
    return stream.id;
  }

  /** Keystrokes for a terminal stream of this connection. */
  input(sink: LiveSink, streamId: string, data: string | Uint8Array): void {
    const stream = this.owned(sink, streamId);
    if (stream.kind !== 'terminal') throw new DaisError('VALIDATION_FAILED', 'Only terminal streams take input.');
    stream.upstream?.sendInput(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** A terminal's new size (the orchestrator clamps it). */
  resize(sink: LiveSink, streamId: string, cols: number, rows: number): void {
    const stream = this.owned(sink, streamId);
    if (stream.kind !== 'terminal') throw new DaisError('VALIDATION_FAILED', 'Only terminal streams can be resized.');
    stream.upstream?.sendControl({ type: 'resize', cols, rows });
  }

  /** Closes one stream of this connection. */
  close(sink: LiveSink, streamId: string): void {
    this.end(this.owned(sink, streamId), 'Closed.');
  }

  /** Closes every stream of a connection (it disconnected). */
  closeConnection(sinkId: string): void {
    for (const stream of this.streams.values()) if (stream.sink.id === sinkId) this.end(stream, 'Disconnected.');
  }

  /**
   * Closes the streams (of one user, of one site, or both) that their users' current access no
   * longer allows; `viewerOf` says who each user is now (null: disabled or gone).
   */
  async recheck(scope: { userId?: number; siteId?: number }, viewerOf: (userId: number) => Promise<SiteViewer | null>): Promise<void> {
    const viewers = new Map<number, Promise<SiteViewer | null>>();
    for (const stream of [...this.streams.values()]) {
      if (
        (scope.userId !== undefined && stream.userId !== scope.userId) ||
        (scope.siteId !== undefined && stream.siteId !== scope.siteId)
      ) {
        continue;
      }
      if (!viewers.has(stream.userId)) viewers.set(stream.userId, viewerOf(stream.userId));
      const viewer = await viewers.get(stream.userId);
      if (!viewer) {
        this.end(stream, 'Your account can no longer open streams; sign in again.', 'UNAUTHENTICATED');
        continue;
      }
      const refusal = await this.assertAccess(viewer, stream.siteId).then(
        () => null,
        (error: unknown) => (isDaisError(error) ? error : new DaisError('SITE_NOT_FOUND', 'You no longer have access to this site.')),
      );
      if (refusal) this.end(stream, refusal.message, refusal.code);
    }
  }

  /**
   * Every live stream needs the right to use the site: a terminal changes it, and an admin who
   * locks a site (availability `disabled`) locks its owners out of its logs, status and files too.
   */
  private async assertAccess(viewer: SiteViewer, siteId: number): Promise<void> {
    await changeableSite(this.sites, viewer, siteId);
  }

  private owned(sink: LiveSink, streamId: string): OpenStream {
    const stream = this.streams.get(streamId);
    if (!stream || stream.sink.id !== sink.id) throw new DaisError('NOT_FOUND', 'There is no such stream on this connection.');
    return stream;
  }

  private end(stream: OpenStream, reason: string, code?: string): void {
    if (stream.ended) return;
    stream.ended = true;
    this.streams.delete(stream.id);
    stream.upstream?.close();
    stream.sink.closed({ streamId: stream.id, reason, ...(code ? { code } : {}) });
  }
}
