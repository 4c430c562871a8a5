import { readFileSync } from 'node:fs';
import { type z } from 'zod';

/** A flat map of configuration keys to raw string values, as found in the environment. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * Thrown at startup when configuration is wrong; lists every bad key at once, on one line (a
 * container's log shows it whole, and one line is one log entry for whatever collects the logs).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`);
  }
}

/**
 * Parses a dotenv-style file: `KEY=value` lines, `#` comments, optional single or double quotes.
 * No interpolation: what is written is what is read.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new ConfigError([`env file line ${index + 1}: expected KEY=value`]);
    const [, key = '', rawValue = ''] = match;
    const quoted = /^(['"])(.*)\1$/.exec(rawValue);
    result[key] = quoted ? (quoted[2] ?? '') : rawValue;
  }
  return result;
}

/**
 * Merges the env file named by `DAIS_ENV_FILE` (if any) under the real environment, so a value
 * set in the environment always wins over the file.
 */
export function withEnvFile(env: EnvSource): EnvSource {
  const file = env.DAIS_ENV_FILE;
  if (!file) return env;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`DAIS_ENV_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return { ...parseEnvFile(text), ...env };
}

/**
 * Validates the environment against a zod object of env keys and returns the parsed, frozen
 * result. Empty strings count as unset so defaults apply. Values are never echoed (they may be secrets).
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: EnvSource): Readonly<z.output<S>> {
  const present: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(config)'}: ${issue.message}`));
  }
  return deepFreeze(result.data);
}

/** Freezes an object graph so configuration cannot be changed after startup. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
