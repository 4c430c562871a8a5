/** One broken rule, as the manager reports it: which field (`path`, dotted) and what is wrong. */
export interface FieldIssue {
  path: string;
  rule?: string;
  message: string;
}

/**
 * An answer the manager refused, in its error shape (`{error: {code, message, details}}`), or a
 * network failure (status 0, code NETWORK). Screens show `message`; fields show `issueFor(path)`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field (exact path, or the first issue under it), if the server named it. */
  issueFor(path: string): string | undefined {
    return this.issues.find((issue) => issue.path === path || issue.path.startsWith(`${path}.`))?.message;
  }

  /** Issues that no field of the form shows, so the form can list them in its error area. */
  issuesOutside(paths: readonly string[]): FieldIssue[] {
    return this.issues.filter((issue) => !paths.some((path) => issue.path === path || issue.path.startsWith(`${path}.`)));
  }
}

/** Reads the manager's error body; anything else (a proxy's HTML page, nothing) becomes a plain message. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = body.error;
    if (typeof error === 'object' && error !== null) {
      const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
      const detailRecord = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
      const issues = Array.isArray(detailRecord.issues) ? detailRecord.issues.filter(isIssue) : [];
      return new ApiError(
        status,
        typeof code === 'string' ? code : 'UNKNOWN',
        typeof message === 'string' ? message : `Request failed (${status})`,
        issues,
        detailRecord,
      );
    }
  }
  return new ApiError(
    status,
    'UNKNOWN',
    status >= 500 ? `The manager answered ${status}; try again shortly.` : `Request failed (${status}).`,
  );
}

function isIssue(value: unknown): value is FieldIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldIssue).message === 'string' &&
    typeof (value as FieldIssue).path === 'string'
  );
}

/** Turns anything thrown into an ApiError, so screens have one shape to show. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') return new ApiError(0, 'ABORTED', 'Cancelled.');
  return new ApiError(0, 'NETWORK', 'Could not reach the manager. Check your connection and try again.');
}
