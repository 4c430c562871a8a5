import type { ReactNode } from 'react';
import { Button } from './Button';

/** "Newer / Older" over cursor pages: the cursors visited so far make the way back. */
export function Pager({
  cursors,
  nextCursor,
  onPage,
}: {
  cursors: readonly number[];
  nextCursor: number | null;
  onPage: (cursors: number[]) => void;
}): ReactNode {
  if (cursors.length === 0 && nextCursor === null) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <Button disabled={cursors.length === 0} onClick={() => onPage(cursors.slice(0, -1))}>
        ← Previous
      </Button>
      <span>Page {cursors.length + 1}</span>
      <Button disabled={nextCursor === null} onClick={() => nextCursor !== null && onPage([...cursors, nextCursor])}>
        Next →
      </Button>
    </nav>
  );
}
