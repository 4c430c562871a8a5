import type { WebSocket } from 'ws';
import {
  DaisError,
  SESSION_END_MESSAGES,
  SHELL_TOKEN_MAX_TTL_MS,
  type EndSessionsRequest,
  type SessionEndReason,
  type ShellTokenClaims,
} from '@dais/shared';
import { closeWithError } from './ws-frames';

/** Leeway for the manager's and this host's clocks when forgetting a revocation. */
const CLOCK_LEEWAY_MS = 30_000;

interface OpenSession {
  ws: WebSocket;
  siteId: number;
  userId: number;
}

/** Access the manager ended: whose, where, and until when tokens issued before it might still arrive. */
interface Revocation {
  userIds: ReadonlySet<number> | null;
  siteId: number | null;
  reason: SessionEndReason;
  /** The manager's clock: tokens issued at or before this are refused. */
  at: number;
  /** This host's clock: past it, every token issued before `at` has expired anyway. */
  forgetAfter: number;
}

/**
 * The shell's live sessions on this host, by user and site, so the manager can end them when a
 * person loses access (`POST /v1/sessions/end`). The manager cannot reach them itself: they run
 * shell → orchestrator. Ending also refuses the not yet used shell tokens issued before it (a
 * person at the site menu holds one for up to a minute), so nobody slips in after the fact.
 */
export class ShellSessions {
  private readonly open = new Set<OpenSession>();
  private revocations: Revocation[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws SESSION_ENDED when the manager ended this user's access to this site after issuing the token. */
  assertStillGranted(claims: ShellTokenClaims): void {
    const revoked = this.revocationFor(claims);
    if (revoked) throw new DaisError('SESSION_ENDED', SESSION_END_MESSAGES[revoked.reason]);
  }

  /**
   * Counts a session in until its socket closes; false (and the socket closed with the reason) when
   * a revocation arrived between the token check and now.
   */
  track(ws: WebSocket, claims: ShellTokenClaims): boolean {
    const revoked = this.revocationFor(claims);
    if (revoked) {
      closeWithError(ws, 'SESSION_ENDED', SESSION_END_MESSAGES[revoked.reason]);
      return false;
    }
    const session: OpenSession = { ws, siteId: claims.siteId, userId: claims.userId };
    this.open.add(session);
    ws.once('close', () => this.open.delete(session));
    return true;
  }

  /** Ends the matching sessions with the reason's message and remembers the revocation; returns how many closed. */
  end(request: EndSessionsRequest): number {
    const now = this.now();
    this.revocations = this.revocations.filter((revocation) => revocation.forgetAfter > now);
    const revocation: Revocation = {
      userIds: request.userIds ? new Set(request.userIds) : null,
      siteId: request.siteId ?? null,
      reason: request.reason,
      at: request.at,
      forgetAfter: now + SHELL_TOKEN_MAX_TTL_MS + CLOCK_LEEWAY_MS,
    };
    this.revocations.push(revocation);
    let ended = 0;
    for (const session of [...this.open]) {
      if (!matches(revocation, session.userId, session.siteId)) continue;
      this.open.delete(session);
      closeWithError(session.ws, 'SESSION_ENDED', SESSION_END_MESSAGES[request.reason]);
      ended += 1;
    }
    return ended;
  }

  /** How many sessions are open (for tests and metrics). */
  get size(): number {
    return this.open.size;
  }

  private revocationFor(claims: ShellTokenClaims): Revocation | undefined {
    const now = this.now();
    return this.revocations.find(
      (revocation) => revocation.forgetAfter > now && claims.iat <= revocation.at && matches(revocation, claims.userId, claims.siteId),
    );
  }
}

function matches(revocation: Revocation, userId: number, siteId: number): boolean {
  return (revocation.userIds === null || revocation.userIds.has(userId)) && (revocation.siteId === null || revocation.siteId === siteId);
}
