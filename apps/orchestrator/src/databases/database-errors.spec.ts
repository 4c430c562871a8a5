import { describe, expect, it } from 'vitest';
import type { DatabaseHost } from '@dais/shared';
import { databaseHostError, hostLabel, redact } from './database-errors';

const host: DatabaseHost = {
  engine: 'mysql',
  adminHost: '127.0.0.1',
  adminPort: 3306,
  adminUser: 'dais_dbadmin',
  adminPassword: 'admin-secret',
};
const report = { host, action: 'create database shop for user shop', secrets: ['site-secret'] };

describe('databaseHostError', () => {
  it('names the host and admin user when the credentials are refused, as a permanent error', () => {
    const error = databaseHostError({ ...report, failure: 'credentials', detail: "Access denied for user 'dais_dbadmin'@'localhost'" });
    expect(error.code).toBe('DATABASE_HOST_REFUSED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('host 127.0.0.1:3306 refused the admin credentials for dais_dbadmin');
  });

  it('says what to do about missing privileges', () => {
    const error = databaseHostError({ ...report, failure: 'privileges', detail: 'Access denied; you need the CREATE USER privilege' });
    expect(error.code).toBe('DATABASE_HOST_REFUSED');
    expect(error.message).toContain('did not let dais_dbadmin create database shop for user shop');
    expect(error.message).toContain('docs/databases.md');
  });

  it('makes an unreachable host a transient 503', () => {
    const error = databaseHostError({ ...report, failure: 'unavailable', detail: 'connect ECONNREFUSED 127.0.0.1:3306' });
    expect(error.code).toBe('DATABASE_HOST_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(error.transient).toBe(true);
  });

  it('never repeats a password the driver echoed, nor keeps the driver error as cause', () => {
    const error = databaseHostError({ ...report, failure: 'other', detail: "near 'site-secret' and 'admin-secret' at line 1" });
    expect(error.message).not.toContain('site-secret');
    expect(error.message).not.toContain('admin-secret');
    expect(error.message).toContain('[redacted]');
    expect(error.cause).toBeUndefined();
  });
});

describe('hostLabel', () => {
  it('brackets IPv6 addresses', () => {
    expect(hostLabel({ ...host, adminHost: '::1' })).toBe('[::1]:3306');
  });
});

describe('redact', () => {
  it('replaces every occurrence and ignores empty secrets', () => {
    expect(redact('a pw b pw.', ['pw', ''])).toBe('a [redacted] b [redacted]');
  });
});
