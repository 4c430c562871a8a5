import type { WebSocket } from 'ws';
import { DaisError, type SiteSpec } from '@dais/shared';
import type { ContainerSessions } from '../docker/container-sessions';
import { closeWithError, sendBytes, sendMessage } from './ws-frames';

/** While the site's container is gone (restarting, being replaced), look for it again this often… */
const REATTACH_INTERVAL_MS = 1_000;
/** …for at most this long before the stream ends. */
const REATTACH_GIVE_UP_MS = 60_000;

/**
 * Streams a dynamic site's container output: its last `tail` lines, then everything it prints,
 * across restarts and replacements (the stream follows the site, not one container).
 */
export async function runLogsChannel(ws: WebSocket, containers: ContainerSessions, spec: SiteSpec, tail: number): Promise<void> {
  if (!spec.runtime) throw new DaisError('VALIDATION_FAILED', `Site ${spec.id} is static: it has no container whose logs to follow.`);
  let stop: (() => void) | undefined;
  const closed = () => ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED;
  ws.once('close', () => stop?.());
  let since: number | undefined;
  let gaveUpAt = Date.now() + REATTACH_GIVE_UP_MS;
  sendMessage(ws, { type: 'ready' });
  while (!closed()) {
    const containerId = await containers.siteContainer(spec.id).catch(() => null);
    if (containerId) {
      const ended = new Promise<void>((resolve) => {
        containers
          .followLogs(containerId, since === undefined ? { tail } : { since }, {
            onData: (data, stderr) => sendBytes(ws, data, stderr),
            onEnd: resolve,
          })
          .then(
            (stopFollowing) => {
              stop = stopFollowing;
              if (closed()) stopFollowing();
            },
            () => resolve(),
          );
      });
      await ended;
      // Whole seconds: a line printed in the second the stream ended may be shown twice, never lost.
      since = Math.floor(Date.now() / 1000);
      gaveUpAt = Date.now() + REATTACH_GIVE_UP_MS;
    } else if (Date.now() > gaveUpAt) {
      closeWithError(ws, 'SITE_NOT_RUNNING', `Site ${spec.id} has had no running container for a minute; the log stream ended.`);
      return;
    }
    if (!closed()) await new Promise((resolve) => setTimeout(resolve, REATTACH_INTERVAL_MS));
  }
}
