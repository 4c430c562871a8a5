import { DaisError, LIVE_STREAM_KINDS, MAX_ID, type LiveStreamKind } from '@dais/shared';

/** A websocket route of the orchestrator: one of a site's live streams, or the shell's session. */
export interface LiveRoute {
  kind: LiveStreamKind | 'shell-server';
  siteId: number;
  /** The query string as parsed key → value; a key given twice is refused. */
  query: Record<string, string>;
}

const SITE_STREAM = /^\/ws\/sites\/([1-9][0-9]{0,9})\/([a-z]+)$/;
const SHELL_SERVER = /^\/ws\/shell-server\/([1-9][0-9]{0,9})$/;

/** Parses an upgrade's request target; throws NOT_FOUND for any other path. */
export function matchLiveRoute(target: string): LiveRoute {
  // The raw path, exactly as signed: no `..` or percent-decoding turns it into another route.
  const at = target.indexOf('?');
  const pathname = at === -1 ? target : target.slice(0, at);
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(at === -1 ? '' : target.slice(at + 1))) {
    if (key in query) throw new DaisError('VALIDATION_FAILED', `The query names "${key.slice(0, 40)}" more than once.`);
    query[key] = value;
  }
  const shell = SHELL_SERVER.exec(pathname);
  if (shell) return { kind: 'shell-server', siteId: siteIdOf(shell[1]), query };
  const stream = SITE_STREAM.exec(pathname);
  const kind = LIVE_STREAM_KINDS.find((known) => known === stream?.[2]);
  if (stream && kind) return { kind, siteId: siteIdOf(stream[1]), query };
  throw new DaisError('NOT_FOUND', `No websocket route ${pathname.slice(0, 200)}.`);
}

function siteIdOf(text: string | undefined): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > MAX_ID) throw new DaisError('SITE_NOT_FOUND', `There is no site ${text ?? ''}.`);
  return id;
}
