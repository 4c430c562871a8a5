import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@dais/shared';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/**
 * Nest's logging (its own lines and every `new Logger(Context)` in the manager) written through
 * the shared logger, so the manager's lines are the same JSON as the other components', with the
 * log context (correlation id, site, operation) of the work in progress. The Nest context (a
 * class name) becomes the `context` field.
 */
export class NestLogger implements LoggerService {
  constructor(private readonly shared: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  /** Nest passes `(message, stack?, context?)`: a trace, when given, comes before the context. */
  error(message: unknown, ...params: unknown[]): void {
    const [first, second] = params;
    const stack = params.length >= 2 || looksLikeStack(first) ? first : undefined;
    const context = params.length >= 2 ? second : stack === undefined ? first : undefined;
    this.write('error', message, context === undefined ? [] : [context], typeof stack === 'string' ? { stack } : {});
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  /** Nest's `verbose` was shown with `debug` before: it stays there. */
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[], extra: Record<string, unknown> = {}): void {
    if (!this.shared.isLevelEnabled(level)) return;
    const last = params.at(-1);
    const fields: Record<string, unknown> = { ...(typeof last === 'string' ? { context: last } : {}), ...extra };
    if (message instanceof Error) this.shared[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.shared[level]({ ...fields, ...message });
    else this.shared[level](fields, String(message));
  }
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}
