import { useCallback, useLayoutEffect, useRef, useState, type RefObject, type UIEvent } from 'react';

/** How close to the bottom (px) still counts as "at the latest line". */
const BOTTOM_SLACK_PX = 32;

/**
 * Keeps a scrolling box at its bottom while new content arrives, until the person scrolls up to
 * read; `jumpToLatest` follows again. `content` is whatever changes when lines are added.
 */
export function useFollowScroll(content: unknown): {
  viewportRef: RefObject<HTMLDivElement | null>;
  following: boolean;
  onScroll: (event: UIEvent<HTMLDivElement>) => void;
  jumpToLatest: () => void;
} {
  const viewportRef = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const viewport = viewportRef.current;
    if (following && viewport) viewport.scrollTop = viewport.scrollHeight;
  }, [content, following]);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => {
    const box = event.currentTarget;
    setFollowing(box.scrollHeight - box.scrollTop - box.clientHeight < BOTTOM_SLACK_PX);
  }, []);
  const jumpToLatest = useCallback(() => setFollowing(true), []);
  return { viewportRef, following, onScroll, jumpToLatest };
}
