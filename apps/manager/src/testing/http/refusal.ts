import { DaisError } from '@dais/shared';
import { expect } from 'vitest';

/** The coded error `call` fails with; fails the test if it succeeds or throws anything else (that would be a 500). */
export async function refusalOf(call: () => unknown): Promise<DaisError> {
  let outcome: unknown;
  try {
    await call();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) expect.fail('the call was expected to be refused, but it succeeded');
  if (!(outcome instanceof DaisError))
    throw outcome instanceof Error ? outcome : new Error(`a non-error was thrown: ${JSON.stringify(outcome)}`);
  return outcome;
}
