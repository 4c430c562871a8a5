import { connect } from 'node:net';
import type Docker from 'dockerode';
import type { Container } from 'dockerode';
import { DaisError } from '@dais/shared';
import type { SiteCommand } from '../sites/runtime-driver';

/** True for the engine's "no such container/service/image" answer. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 404;
}

/**
 * A coded error for a failed engine call: unreachable engine → DOCKER_UNAVAILABLE (retry later),
 * anything else → RUNTIME_FAILED with the engine's own message (also retried).
 */
export function dockerFailure(what: string, error: unknown): DaisError {
  if (error instanceof DaisError) return error;
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
    return new DaisError('DOCKER_UNAVAILABLE', `Could not ${what}: the Docker engine is not reachable (${code}).`, undefined, {
      cause: error,
    });
  }
  const message =
    (error as { json?: { message?: string } } | null)?.json?.message ?? (error instanceof Error ? error.message : String(error));
  return new DaisError('RUNTIME_FAILED', `Could not ${what}: ${message}`, undefined, { cause: error });
}

/**
 * Refuses to start a site that has nothing to run: no run.sh and an image without a command.
 * (The engine would refuse too, with a message the owner could not act on.)
 */
export async function assertHasCommand(docker: Docker, image: string, command: SiteCommand): Promise<void> {
  if (command.kind === 'run.sh') return;
  const config = (await docker.getImage(image).inspect()).Config as { Cmd?: string[] | null; Entrypoint?: string[] | null };
  if ((config.Cmd?.length ?? 0) === 0 && (config.Entrypoint?.length ?? 0) === 0) {
    throw new DaisError(
      'RUN_SCRIPT_MISSING',
      `The site has no run.sh and its image ${image} has no command of its own: add a run.sh to the site folder.`,
    );
  }
}

/** A reference with `:latest` added when it names no tag or digest (a pull without one fetches every tag). */
export function withDefaultTag(reference: string): string {
  if (reference.includes('@')) return reference;
  const lastComponent = reference.slice(reference.lastIndexOf('/') + 1);
  return lastComponent.includes(':') ? reference : `${reference}:latest`;
}

/** Whether something accepts TCP connections at `ip:port` (within 300 ms). */
export function tcpAnswers(endpoint: string): Promise<boolean> {
  const at = endpoint.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(at + 1)), timeout: 300 });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The last lines a container printed (stdout and stderr), at most 1,000 characters. */
export async function logTail(container: Container, lines = 10): Promise<string | null> {
  try {
    const buffer = await container.logs({ stdout: true, stderr: true, tail: lines, follow: false });
    const text = demultiplex(buffer).trim();
    return text ? text.slice(-1000) : null;
  } catch {
    return null;
  }
}

/** Docker prefixes each log chunk of a non-TTY container with an 8-byte header; strip them. */
function demultiplex(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && (buffer[offset] === 1 || buffer[offset] === 2)) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}

/**
 * Follows the engine's event stream (reconnecting if it drops) and reports the `dais.site-id`
 * label of each event. Returns a function that stops following.
 */
export function watchEvents(docker: Docker, filters: Record<string, string[]>, onSite: (siteId: number) => void): () => void {
  const stop = new AbortController();
  // A call, not a property read, so the compiler does not assume it cannot change inside the loop.
  const stopped = (): boolean => stop.signal.aborted;
  let current: NodeJS.ReadableStream | undefined;
  const follow = async (): Promise<void> => {
    while (!stopped()) {
      try {
        current = await docker.getEvents({ filters });
        await new Promise<void>((resolve) => {
          let buffered = '';
          current?.on('data', (chunk: Buffer) => {
            buffered += chunk.toString('utf8');
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) reportSite(line, onSite);
          });
          current?.once('end', resolve);
          current?.once('error', resolve);
          current?.once('close', resolve);
        });
      } catch {
        // engine down: try again shortly
      }
      if (!stopped()) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  void follow();
  return () => {
    stop.abort();
    (current as { destroy?: () => void } | undefined)?.destroy?.();
  };
}

function reportSite(line: string, onSite: (siteId: number) => void): void {
  try {
    const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
    const siteId = Number(event.Actor?.Attributes?.['dais.site-id']);
    if (Number.isSafeInteger(siteId) && siteId > 0) onSite(siteId);
  } catch {
    // not an event line
  }
}
