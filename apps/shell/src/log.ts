import { createLogger as createComponentLogger } from '@dais/shared';

/**
 * What the shell logs through: the one logger every component uses (JSON lines with `component`
 * and the log context; docs/operations.md), or a fake in a unit test. Never log secrets through it.
 */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The shell's logger, writing entries at `level` and above (`silent` writes nothing). */
export function createLogger(level: string): Logger {
  return createComponentLogger({ component: 'shell', level });
}
