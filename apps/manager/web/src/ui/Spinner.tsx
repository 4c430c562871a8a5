import type { ReactNode } from 'react';

/** A small turning circle; `label` is read by screen readers (empty when the context says it). */
export function Spinner({ label = 'Loading' }: { label?: string }): ReactNode {
  return (
    <span className="spinner" role={label ? 'status' : undefined} aria-label={label || undefined} aria-hidden={label ? undefined : true} />
  );
}

/** A block that says something is loading, for a screen's first read. */
export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p className="loading">
      <Spinner label="" /> Loading {what}…
    </p>
  );
}
