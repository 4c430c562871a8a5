import type { FastifyInstance } from 'fastify';
import { endSessionsRequestSchema, parseInput, type SessionsEnded } from '@dais/shared';
import type { ShellSessions } from '../ws/shell-sessions';

/**
 * `POST /v1/sessions/end` (the manager only, like every `/v1` route): ends the shell's live sessions
 * of people who lost access, with a one-line reason they read in their terminal.
 */
export function registerSessionRoutes(app: FastifyInstance, sessions: ShellSessions): void {
  app.post('/v1/sessions/end', (request): SessionsEnded => {
    const ended = sessions.end(parseInput(endSessionsRequestSchema, request.body, 'sessions to end'));
    if (ended > 0) request.log.info({ ended }, 'ended shell sessions the manager revoked');
    return { ended };
  });
}
