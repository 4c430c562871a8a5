import { ConfigError } from '../config/load-config';

/** A long-running component as its entry point sees it. */
export interface RunnableService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a service and stops it gracefully on SIGTERM or SIGINT. A bad configuration prints the
 * list of problems without a stack trace; any other startup failure exits 1 with the error.
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
  service.start().catch((error: unknown) => failStartup(name, error));
}

function failStartup(name: string, error: unknown): void {
  console.error(`${name} could not start: ${error instanceof ConfigError ? error.message : ''}`);
  if (!(error instanceof ConfigError)) console.error(error);
  process.exit(1);
}
