import { isDaisError } from '@dais/shared';

/** The DaisError an attempt is refused with, as the client sees it; throws if it succeeds or fails otherwise. */
export async function refusal(attempt: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await attempt;
  } catch (error) {
    if (isDaisError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal, but the attempt succeeded');
}
