import type { Duplex, Writable } from 'node:stream';
import { DaisError, isDaisError } from '@dais/shared';
import type { SiteGrant } from '../auth/authenticator';
import type { ManagerClient } from '../clients/manager.client';
import { SiteChannel, type SessionRequest, type SiteChannelEvents, type SiteChannelTarget } from '../clients/site-channel.client';
import type { Logger } from '../log';
import { sessionFailureMessage, standInNotice } from './messages';

/** An SSH session channel as the session code needs it (ssh2's ServerChannel has this shape). */
export type SessionChannel = Duplex & { stderr: Writable; exit(status: number): void };

/** Who runs the session, from where. */
export interface SessionOwner {
  user: { id: number; username: string };
  remoteAddress: string | null;
}

/** What a running session lets the SSH layer do. */
export interface RunningSession {
  resize(cols: number, rows: number): void;
}

/** Opens sessions in site containers and records them in the audit log. */
export class SessionLauncher {
  constructor(
    private readonly target: SiteChannelTarget,
    private readonly manager: ManagerClient,
    private readonly log: Logger,
  ) {}

  /** Opens the site channel for an SFTP session (the SFTP bridge drives it). */
  async openFiles(owner: SessionOwner, site: SiteGrant, events: SiteChannelEvents): Promise<SiteChannel> {
    const channel = await SiteChannel.open(this.target, site, { mode: 'sftp' }, events);
    this.audit(owner, site, 'sftp', 'start');
    return channel;
  }

  /** Records the end of a session (SFTP sessions end when the client closes them). */
  ended(owner: SessionOwner, site: SiteGrant, kind: 'shell' | 'exec' | 'sftp', command?: string): void {
    this.audit(owner, site, kind, 'end', command);
  }

  /**
   * Runs a shell or a command in the site's container, wired to the SSH channel: input one way,
   * output the other, the exit status back to the client. Resolves once the session is open
   * (or has failed with a one-line message and ended).
   */
  async run(channel: SessionChannel, owner: SessionOwner, site: SiteGrant, request: SessionRequest & { mode: 'shell' | 'exec' }) {
    const tty = request.mode === 'shell' || request.tty;
    const newline = tty ? '\r\n' : '\n';
    const command = request.mode === 'exec' ? request.command.slice(0, 200) : undefined;
    let done = false;
    const finish = (status: number, message?: string) => {
      if (done) return;
      done = true;
      if (message) channel.stderr.write(message + newline);
      channel.exit(status);
      channel.end();
      this.ended(owner, site, request.mode, command);
    };
    // Input that arrives while the session opens waits in the channel instead of being lost.
    channel.pause();
    let remote: SiteChannel;
    try {
      remote = await SiteChannel.open(this.target, site, request, {
        output: (stream, data) => (stream === 'stderr' ? channel.stderr.write(data) : channel.write(data)),
        exit: (code) => finish(code),
        failure: (error) => finish(255, sessionFailureMessage(error, site.name)),
        standIn: () => channel.stderr.write(standInNotice(site.name) + newline),
      });
    } catch (error) {
      const coded = isDaisError(error) ? error : new DaisError('PEER_ERROR', 'The session could not start.');
      if (!isDaisError(error)) this.log.error({ err: String(error) }, 'opening a site session failed');
      channel.stderr.write(sessionFailureMessage(coded, site.name) + newline);
      channel.exit(1);
      channel.end();
      return undefined;
    }
    this.audit(owner, site, request.mode, 'start', command);
    channel.on('data', (data: Buffer) => remote.writeInput(data));
    channel.once('end', () => remote.endInput());
    channel.once('close', () => {
      remote.close();
      if (!done) {
        done = true;
        this.ended(owner, site, request.mode, command);
      }
    });
    channel.resume();
    return { resize: (cols: number, rows: number) => remote.resize(cols, rows) } satisfies RunningSession;
  }

  private audit(owner: SessionOwner, site: SiteGrant, kind: 'shell' | 'exec' | 'sftp', event: 'start' | 'end', command?: string): void {
    const record = { userId: owner.user.id, siteId: site.id, kind, event, remoteAddress: owner.remoteAddress, command };
    this.manager.recordSession(record).catch((error: unknown) => {
      // The session itself must not fail because the audit log is briefly unreachable; the gap is logged.
      this.log.error({ err: String(error), siteId: site.id, userId: owner.user.id, kind, event }, 'could not record a shell session');
    });
  }
}
