import { DaisError, type DatabaseHost } from '@dais/shared';

/** How an adapter classified a driver error. */
export type DriverFailure = 'unavailable' | 'credentials' | 'privileges' | 'other';

/** What went wrong, for {@link databaseHostError}. */
export interface DriverFailureReport {
  failure: DriverFailure;
  host: DatabaseHost;
  /** What the orchestrator was doing, e.g. "create database blog". */
  action: string;
  /** The driver's own message; secrets are redacted from it before it is used. */
  detail: string;
  /** Values that must never appear in a message (passwords). */
  secrets: readonly string[];
  /** The driver's error code, kept in the details for admins. */
  driverCode?: string;
}

const ENGINE_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL/MariaDB' } as const;

/** `host:port` of a database host as an admin would type it. */
export function hostLabel(host: DatabaseHost): string {
  return host.adminHost.includes(':') ? `[${host.adminHost}]:${host.adminPort}` : `${host.adminHost}:${host.adminPort}`;
}

/**
 * Turns a classified driver error into a coded error an admin can act on. The driver error is not
 * kept as the cause: mysql2 errors carry the full SQL text, password included, and causes get logged.
 */
export function databaseHostError(report: DriverFailureReport): DaisError {
  const { host } = report;
  const where = `The ${ENGINE_NAMES[host.engine]} host ${hostLabel(host)}`;
  const detail = redact(report.detail, [...report.secrets, host.adminPassword]);
  const details = { engine: host.engine, host: hostLabel(host), ...(report.driverCode ? { driverCode: report.driverCode } : {}) };
  switch (report.failure) {
    case 'unavailable':
      return new DaisError(
        'DATABASE_HOST_UNAVAILABLE',
        `${where} could not be reached to ${report.action} (${detail}). Check that it is running and reachable from this orchestrator.`,
        details,
      );
    case 'credentials':
      return new DaisError(
        'DATABASE_HOST_REFUSED',
        `${where} refused the admin credentials for ${host.adminUser} (${detail}). Check the admin user and password configured for this host.`,
        details,
      );
    case 'privileges':
      return new DaisError(
        'DATABASE_HOST_REFUSED',
        `${where} did not let ${host.adminUser} ${report.action} (${detail}). Give that user the privileges listed in docs/databases.md.`,
        details,
      );
    case 'other':
      return new DaisError('DATABASE_OPERATION_FAILED', `${where} could not ${report.action}: ${detail}.`, details);
  }
}

/** A refusal to touch a database or user that is not this site's. */
export function databaseConflict(host: DatabaseHost, message: string): DaisError {
  return new DaisError('DATABASE_CONFLICT', `On ${hostLabel(host)}: ${message}`, { engine: host.engine, host: hostLabel(host) });
}

/** A message with every secret replaced. */
export function redact(message: string, secrets: readonly string[]): string {
  let safe = message;
  for (const secret of secrets) if (secret.length > 0) safe = safe.split(secret).join('[redacted]');
  return safe.trim().replace(/\.$/, '') || 'no detail';
}

/** The `code` property drivers put on their errors, if any. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The message of anything thrown (a refused connection to both `localhost` addresses has none, only a code). */
export function errorMessageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message || (errorCodeOf(error) ?? error.name);
}
