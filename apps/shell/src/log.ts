const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Level = (typeof LEVELS)[number];

/** Structured one-line JSON logging to stderr, in the shape the other components' pino logs have. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that writes entries at `level` and above (`silent` writes nothing). Never log secrets through it. */
export function createLogger(level: string): Logger {
  const threshold = (LEVELS as readonly string[]).indexOf(level);
  const write = (at: Level) => (fields: object, message: string) => {
    if (threshold === -1 || LEVELS.indexOf(at) < threshold) return;
    process.stderr.write(`${JSON.stringify({ level: at, time: Date.now(), name: 'shell', ...fields, msg: message })}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
