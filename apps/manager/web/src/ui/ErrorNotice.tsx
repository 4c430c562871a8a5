import type { ReactNode } from 'react';
import type { ApiError } from '../api/api-error';

/**
 * A refusal shown where the user is looking: the manager's message (never a stack), the issues no
 * field showed, and the correlation id to quote when the manager itself failed.
 */
export function ErrorNotice({
  error,
  fields = [],
  children,
}: {
  error: ApiError | null;
  fields?: readonly string[];
  children?: ReactNode;
}): ReactNode {
  if (!error) return null;
  const rest = error.issuesOutside(fields);
  const correlationId = typeof error.details.correlationId === 'string' ? error.details.correlationId : null;
  const allShownByFields = error.issues.length > 0 && rest.length === 0;
  return (
    <div className="notice notice-error" role="alert">
      {allShownByFields ? 'Please fix the marked fields.' : error.message}
      {rest.length > 0 && !allShownByFields ? (
        <ul>
          {rest.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              {issue.path ? `${issue.path}: ` : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {correlationId ? <div className="notice-detail">Reference: {correlationId}</div> : null}
      {children}
    </div>
  );
}
