import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

interface FrameProps {
  label: string;
  /** The rule that failed, from the browser's own check or the server's answer. */
  error?: string | undefined;
  hint?: ReactNode;
  id?: string | undefined;
  className?: string | undefined;
}

/** What the control inside a field needs to be tied to its label, hint and error. */
interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** Label, control, hint and error, tied together for screen readers; the control is the caller's. */
function FieldFrame({
  label,
  error,
  hint,
  id,
  className,
  control,
}: FrameProps & { control: (props: ControlProps) => ReactNode }): ReactNode {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={controlId}>{label}</label>
      {control({ id: controlId, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint ? (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A labelled input with its hint and its error underneath. */
export function Field({ label, error, hint, id, className, ...input }: FrameProps & InputHTMLAttributes<HTMLInputElement>): ReactNode {
  return (
    <FieldFrame label={label} error={error} hint={hint} id={id} className={className} control={(tied) => <input {...input} {...tied} />} />
  );
}

/** `Field` for several lines (a pasted key, a script). */
export function TextAreaField({
  label,
  error,
  hint,
  id,
  className,
  ...textarea
}: FrameProps & TextareaHTMLAttributes<HTMLTextAreaElement>): ReactNode {
  return (
    <FieldFrame
      label={label}
      error={error}
      hint={hint}
      id={id}
      className={className}
      control={(tied) => <textarea {...textarea} {...tied} />}
    />
  );
}

/** A labelled checkbox (the label beside the box), with a hint underneath. */
export function CheckboxField({
  label,
  hint,
  ...input
}: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>): ReactNode {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <label htmlFor={id}>
        <input {...input} type="checkbox" id={id} aria-describedby={hint ? `${id}-hint` : undefined} /> {label}
      </label>
      {hint ? (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}
