import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DaisError, SHELL_TOKEN_HEADER, verifyShellToken, type NonceStore, type ShellTokenClaims, type TerminalOpen } from '@dais/shared';
import type { ShellSessions } from './shell-sessions';
import type { SiteProcess } from './site-process';

/**
 * Checks the second credential of `/ws/shell-server/:siteId`: besides the shell's own signature,
 * the manager's single-use token for this user and site, not issued before the manager ended that
 * access. The orchestrator's nonce store (on disk) makes each token usable once, restarts included.
 */
export class ShellTokenCheck {
  constructor(
    private readonly managerKey: KeyObject,
    private readonly nonces: NonceStore,
    private readonly sessions: ShellSessions,
  ) {}

  /** The token's claims (who the session belongs to), or a coded 401. */
  async verify(request: IncomingMessage, siteId: number): Promise<ShellTokenClaims> {
    const token = request.headers[SHELL_TOKEN_HEADER];
    if (typeof token !== 'string' || token.length === 0) {
      throw new DaisError('SHELL_TOKEN_INVALID', `A shell session needs the manager's token in ${SHELL_TOKEN_HEADER}.`);
    }
    const claims = await verifyShellToken(this.managerKey, token, { siteId, nonces: this.nonces });
    this.sessions.assertStillGranted(claims);
    return claims;
  }
}

/** The process an SSH session asked for (`shell` or `exec`); SFTP is served separately. */
export function shellProcessOf(open: TerminalOpen): SiteProcess {
  const term = open.term ?? 'xterm-256color';
  const size = { cols: open.cols ?? 80, rows: open.rows ?? 24 };
  if (open.mode === 'exec') {
    const command = Buffer.from(open.command ?? '', 'base64url').toString('utf8');
    if (!command.trim() || command.includes('\0')) throw new DaisError('VALIDATION_FAILED', 'exec needs a command (base64url, no NUL).');
    return { kind: 'command', command, tty: open.tty === '1', term, size };
  }
  return { kind: 'shell', term, size };
}
