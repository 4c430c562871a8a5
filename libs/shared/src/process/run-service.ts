import { ConfigError } from '../config/load-config';
import { DaisError } from '../errors/dais-error';

/** A long-running component as its entry point sees it. */
export interface RunnableService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a service and stops it gracefully on SIGTERM or SIGINT. A bad configuration or a coded
 * error prints its message without a stack trace; any other startup failure prints the error. Exit 1.
 */
export function runService(name: string, create: () => RunnableService): void {
  let service: RunnableService;
  try {
    service = create();
  } catch (error) {
    failStartup(name, error);
    return;
  }
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`${name}: ${signal} received, shutting down`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${name}: shutdown failed`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  service.start().catch((error: unknown) => {
    // Stopped while starting (Ctrl-C early): the half-started service's complaints are noise.
    if (!stopping) failStartup(name, error);
  });
}

function failStartup(name: string, error: unknown): void {
  // Configuration and coded errors explain themselves; anything else needs its stack to be fixed.
  if (error instanceof ConfigError || error instanceof DaisError) console.error(`${name} could not start: ${error.message}`);
  else console.error(`${name} could not start:`, error);
  process.exit(1);
}
