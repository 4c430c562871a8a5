import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envField } from './env-fields';
import { ConfigError, parseEnv, parseEnvFile, withEnvFile } from './load-config';

const schema = z.object({
  DAIS_PORT: envField.port().default(7000),
  DAIS_DATA_ROOT: envField.absolutePath(),
  DAIS_SITES_DOMAIN: envField.sitesDomain().default('dais.localhost'),
  DAIS_DEBUG: envField.boolean().default(false),
  DATABASE_URL: z.string(),
});

describe('configuration', () => {
  it('parses, applies defaults and freezes', () => {
    const config = parseEnv(schema, { DAIS_DATA_ROOT: '/srv/dais', DATABASE_URL: 'postgres://x', DAIS_DEBUG: 'yes' });
    expect(config).toEqual({
      DAIS_PORT: 7000,
      DAIS_DATA_ROOT: '/srv/dais',
      DAIS_SITES_DOMAIN: 'dais.localhost',
      DAIS_DEBUG: true,
      DATABASE_URL: 'postgres://x',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every bad key at once without echoing values', () => {
    let error: unknown;
    try {
      parseEnv(schema, {
        DAIS_PORT: '99999',
        DAIS_DATA_ROOT: 'relative/path',
        DAIS_SITES_DOMAIN: 'bad domain',
        DAIS_DEBUG: 'maybe',
        UNRELATED: 'x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['DAIS_DATA_ROOT', 'DAIS_DEBUG', 'DAIS_PORT', 'DAIS_SITES_DOMAIN', 'DATABASE_URL']);
    expect((error as Error).message).not.toContain('relative/path');
  });

  it('refuses a sites domain too long for <site name>.<domain> to be a hostname', () => {
    const base = { DAIS_DATA_ROOT: '/x', DATABASE_URL: 'u' };
    const fits = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(28)}`;
    expect(fits).toHaveLength(220);
    expect(parseEnv(schema, { ...base, DAIS_SITES_DOMAIN: fits }).DAIS_SITES_DOMAIN).toBe(fits);
    expect(() => parseEnv(schema, { ...base, DAIS_SITES_DOMAIN: `${fits}e` })).toThrow(/DAIS_SITES_DOMAIN: must be at most 220 characters/);
  });

  it('treats empty values as unset so defaults still apply', () => {
    expect(parseEnv(schema, { DAIS_PORT: '', DAIS_DATA_ROOT: '/x', DATABASE_URL: 'u' }).DAIS_PORT).toBe(7000);
  });

  it('reads env files, with the real environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dais-config-'));
    const file = join(dir, 'dais.env');
    writeFileSync(file, '# comment\nDAIS_PORT=7001\nexport DATABASE_URL="postgres://file"\nDAIS_DATA_ROOT=\'/from/file\'\n');
    const merged = withEnvFile({ DAIS_ENV_FILE: file, DAIS_PORT: '7002' });
    rmSync(dir, { recursive: true, force: true });
    expect(merged).toMatchObject({ DAIS_PORT: '7002', DATABASE_URL: 'postgres://file', DAIS_DATA_ROOT: '/from/file' });
  });

  it('reports an unreadable env file and malformed lines', () => {
    expect(() => withEnvFile({ DAIS_ENV_FILE: '/nonexistent/dais.env' })).toThrow(ConfigError);
    expect(() => parseEnvFile('NOT A LINE')).toThrow(/line 1/);
  });
});
