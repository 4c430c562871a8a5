import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentLogContext } from './correlation';

/** A component's logger: pino, one JSON object per line. */
export type Logger = PinoLogger;

/** The levels a logger can be set to, most verbose first (`silent` writes nothing). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Settings for {@link createLogger}. */
export interface LoggerOptions {
  /** Written into every line as `component` (manager, orchestrator, router, shell). */
  component: string;
  /** One of {@link LOG_LEVELS}; components pass their validated DAIS_LOG_LEVEL. */
  level?: string;
  /** Where lines go; standard output unless a test captures them. */
  destination?: DestinationStream;
}

/**
 * Field names whose values never reach a log, at any of the first three levels of an object
 * (`authorization`, `headers.authorization`, `req.headers.authorization`): credentials someone
 * could use if they read the logs.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiToken',
  'secret',
  'clientSecret',
  'privateKey',
  'x-dais-signature',
  'x-dais-shell-token',
];

const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = `["${field}"]`;
  return [key, `*${key}`, `*.*${key}`];
});

/**
 * The one logger of every component: JSON lines with `level` (as a word), `time` (ISO 8601),
 * `component`, and whatever the work in progress is about (`correlationId`, `siteId`,
 * `operationId`, `caller`: see withLogContext), so one operation can be followed across
 * components with a grep (docs/operations.md). Fields given to a call win over the context's.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: options.component, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
