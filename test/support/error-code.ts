import { isDaisError } from '@dais/shared';

/** The code of the DaisError an action throws; undefined if it throws nothing. Other errors pass through. */
export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (isDaisError(error)) return error.code;
    throw error;
  }
  return undefined;
}
