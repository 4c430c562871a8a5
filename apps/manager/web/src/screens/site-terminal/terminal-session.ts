import type { LiveStreamMessage } from '@dais/shared/rules';

/** Where a terminal session is, for the status line above it. */
export type TerminalSession =
  | { phase: 'connecting' }
  | { phase: 'ready'; siteRunning: boolean }
  | { phase: 'exited'; code: number }
  | { phase: 'failed'; message: string };

/** The session after one of the orchestrator's control messages (others leave it as it is). */
export function sessionAfter(session: TerminalSession, message: LiveStreamMessage): TerminalSession {
  switch (message.type) {
    case 'ready':
      return { phase: 'ready', siteRunning: message.siteRunning !== false };
    case 'exit':
      return { phase: 'exited', code: message.code };
    case 'error':
      return { phase: 'failed', message: message.message };
    case 'pong':
    case 'file-reply':
    case 'status':
    case 'file-event':
      return session;
  }
}

/** The status line's sentence for a session. */
export function describeSession(session: TerminalSession): string {
  switch (session.phase) {
    case 'connecting':
      return 'Connecting to a shell…';
    case 'ready':
      return session.siteRunning
        ? "Connected: a shell in the site's container, in /site."
        : "Connected. The site is not running, so this shell runs in a stand-in container with the site's files and limits.";
    case 'exited':
      return `The shell exited with code ${session.code}.`;
    case 'failed':
      return session.message;
  }
}

/** Whether the session is over and the person can only start a new one. */
export function sessionEnded(session: TerminalSession): boolean {
  return session.phase === 'exited' || session.phase === 'failed';
}
