import type { ReactNode } from 'react';

export type Tone = 'ok' | 'busy' | 'bad' | 'off';

/** A coloured dot with its meaning in words beside it (colour alone is never the message). */
export function StatusDot({ tone, label }: { tone: Tone; label: string }): ReactNode {
  return (
    <span className={`status status-${tone}`}>
      <span className="status-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
