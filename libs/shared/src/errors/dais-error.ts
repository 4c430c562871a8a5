import { type ErrorCode, httpStatusOf, isTransientCode } from './error-codes';

/** Structured, user-safe details attached to an error (never secrets, never stack traces). */
export type ErrorDetails = Record<string, unknown>;

/** A coded domain error: the message is written for the person who will read it. */
export class DaisError extends Error {
  override readonly name = 'DaisError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return httpStatusOf(this.code);
  }

  /** Whether a retry may succeed (network trouble, a busy peer), as opposed to bad input. */
  get transient(): boolean {
    return isTransientCode(this.code);
  }
}

/** True for a DaisError carrying the given code. */
export function isDaisError(error: unknown, code?: ErrorCode): error is DaisError {
  return error instanceof DaisError && (code === undefined || error.code === code);
}
