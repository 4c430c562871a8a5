import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Spinner } from './Spinner';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** Shows a spinner and refuses clicks while the action runs. */
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  children: ReactNode;
};

/** A real <button> (keyboard, focus) that says at once that it is working. */
export function Button({
  busy = false,
  variant = 'secondary',
  disabled,
  children,
  type = 'button',
  className,
  ...rest
}: ButtonProps): ReactNode {
  return (
    <button
      type={type}
      className={`button button-${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <Spinner label="" /> : null}
      <span>{children}</span>
    </button>
  );
}
