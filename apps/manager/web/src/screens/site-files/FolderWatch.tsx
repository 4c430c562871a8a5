import { useEffect, useRef, type ReactNode } from 'react';
import { useLiveStream } from '../../live/live-stream';

/**
 * Watches one folder of the site (the orchestrator's file events, relayed by the manager) while it
 * is rendered; after a (re)connection `onOpened` lets the screen read the folder again.
 */
export function FolderWatch({
  siteId,
  path,
  onEvent,
  onOpened,
}: {
  siteId: number;
  path: string;
  onEvent: (event: 'add' | 'change' | 'remove', path: string) => void;
  /** The watch (re)started: what changed while it was not watching is read again. */
  onOpened: (path: string) => void;
}): ReactNode {
  const stream = useLiveStream(
    { kind: 'files', siteId, path },
    {
      onMessage: (message) => {
        if (message.type === 'file-event') onEvent(message.event, message.path);
      },
    },
  );
  const onOpenedRef = useRef(onOpened);
  onOpenedRef.current = onOpened;
  useEffect(() => {
    if (stream.state === 'open') onOpenedRef.current(path);
  }, [stream.state, path]);
  return null;
}
