import { useState, type ReactNode } from 'react';
import { CopyButton } from './CopyButton';

/** A secret (password, token) shown as dots until the user asks; copying works either way. */
export function Secret({ value, label }: { value: string; label: string }): ReactNode {
  const [shown, setShown] = useState(false);
  return (
    <span className="secret">
      <code aria-label={shown ? label : `${label} (hidden)`}>{shown ? value : '••••••••••••'}</code>
      <button type="button" className="button button-ghost button-small" onClick={() => setShown((value) => !value)} aria-pressed={shown}>
        {shown ? 'Hide' : 'Show'}
      </button>
      <CopyButton value={value} />
    </span>
  );
}
