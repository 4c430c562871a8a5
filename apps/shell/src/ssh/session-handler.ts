import type { AcceptConnection, AcceptSftpConnection, RejectConnection, ServerChannel, Session } from 'ssh2';
import { DaisError, isDaisError } from '@dais/shared';
import type { SiteGrant } from '../auth/authenticator';
import type { Logger } from '../log';
import { MESSAGES, sessionFailureMessage } from '../session/messages';
import { pickSite } from '../session/site-picker';
import type { RunningSession, SessionLauncher, SessionOwner } from '../session/terminal-session';
import type { ConnectionLogin } from './authentication';
import { bridgeSftp } from './sftp-bridge';

/** What the session handler needs from the rest of the shell. */
export interface SessionServices {
  launcher: SessionLauncher;
  log: Logger;
  menuTimeoutMs: number;
}

interface Pty {
  cols: number;
  rows: number;
  term: string;
}

/**
 * Drives one SSH session channel: remembers the PTY, then runs what the client asked for (a
 * shell, behind the site menu when no site was named; a command; SFTP) in the site's container.
 * Each connection gets one session: the manager's site tokens are single-use.
 */
export class SessionHandler {
  private pty: Pty | undefined;
  private running: RunningSession | undefined;
  private pendingSize: { cols: number; rows: number } | undefined;

  constructor(
    private readonly login: ConnectionLogin,
    private readonly remoteAddress: string | null,
    private readonly services: SessionServices,
  ) {}

  /** Wires a session's requests. */
  attach(session: Session): void {
    session.on('pty', (accept, _reject, info) => {
      this.pty = { cols: info.cols, rows: info.rows, term: info.term };
      acknowledge(accept);
    });
    session.on('window-change', (accept, _reject, info) => {
      if (this.running) this.running.resize(info.cols, info.rows);
      else this.pendingSize = { cols: info.cols, rows: info.rows };
      acknowledge(accept);
    });
    session.on('env', (accept) => acknowledge(accept)); // Accepted and ignored: the container sets its own environment.
    session.on('shell', (accept) => void this.start(accept, undefined));
    session.on('exec', (accept, _reject, info) => void this.start(accept, info.command));
    session.on('sftp', (accept, reject) => void this.startSftp(accept, reject));
  }

  private async start(accept: AcceptConnection<ServerChannel>, command: string | undefined): Promise<void> {
    const channel = accept();
    const owner = this.owner();
    const newline = this.pty ? '\r\n' : '\n';
    const refusal = this.refusalFor(owner, command);
    if (refusal !== undefined || !owner) {
      channel.stderr.write((refusal ?? MESSAGES.noSites) + newline);
      channel.exit(1);
      channel.end();
      return;
    }
    const sites = this.login.signedIn.sites;
    let site: SiteGrant | undefined = this.login.site !== undefined || sites.length === 1 ? sites[0] : undefined;
    site ??= await pickSite(channel, {
      username: owner.user.username,
      sites,
      echo: this.pty !== undefined,
      timeoutMs: this.services.menuTimeoutMs,
    });
    if (!site) {
      channel.exit(0);
      channel.end();
      return;
    }
    const size = this.pendingSize ?? this.pty ?? { cols: 80, rows: 24 };
    this.running = await this.services.launcher.run(
      channel,
      owner,
      site,
      command === undefined
        ? { mode: 'shell', cols: size.cols, rows: size.rows, term: this.pty?.term }
        : this.pty
          ? { mode: 'exec', command, tty: true, cols: size.cols, rows: size.rows, term: this.pty.term }
          : { mode: 'exec', command, tty: false },
    );
  }

  private async startSftp(accept: AcceptSftpConnection, reject: RejectConnection): Promise<void> {
    const owner = this.owner();
    const sites = this.login.signedIn.sites;
    const site = this.login.site !== undefined || sites.length === 1 ? sites[0] : undefined;
    if (!owner || !site) {
      // An SFTP client cannot show a menu or a message: refusing the subsystem makes it say it could not start.
      this.services.log.info({ user: this.login.username }, 'sftp refused: no site named');
      reject();
      return;
    }
    const sftp = accept();
    const opening = this.services.launcher.openFiles(owner, site, {
      output: () => undefined,
      exit: () => sftp.end(),
      failure: () => sftp.end(),
    });
    // Handlers go on at once: the client sends its first requests without waiting for the site.
    bridgeSftp(sftp, opening, () => this.services.launcher.ended(owner, site, 'sftp'));
    try {
      await opening;
    } catch (error) {
      const coded = isDaisError(error) ? error : new DaisError('PEER_ERROR', 'SFTP could not start.');
      this.services.log.info(
        { user: this.login.username, site: site.name, reason: sessionFailureMessage(coded, site.name) },
        'sftp failed',
      );
      sftp.end();
    }
  }

  /** Why this session cannot start, in one line, or undefined when it can. */
  private refusalFor(owner: SessionOwner | undefined, command: string | undefined): string | undefined {
    if (!owner) return this.login.signedIn.notice ?? MESSAGES.noSites;
    const sites = this.login.signedIn.sites;
    if (sites.length === 0) return MESSAGES.noSites;
    // A command cannot show the menu: it needs a named site, or a person with only one.
    if (command !== undefined && this.login.site === undefined && sites.length > 1) return MESSAGES.nameTheSite;
    return undefined;
  }

  /** The person this session runs as, once; a second session on the connection gets nothing. */
  private owner(): SessionOwner | undefined {
    const user = this.login.signedIn.user;
    if (!user) return undefined;
    this.login.signedIn.user = null;
    this.login.signedIn.notice ??= MESSAGES.oneSessionPerConnection;
    return { user, remoteAddress: this.remoteAddress };
  }
}

/**
 * Answers a request the client may not want an answer to: ssh2 passes no `accept` then (its types
 * say otherwise), and calling it would throw and drop the connection.
 */
function acknowledge(accept: (() => void) | undefined): void {
  accept?.();
}
