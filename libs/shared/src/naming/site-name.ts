import { z } from 'zod';

/** Shortest and longest site name: a DNS label, kept short so `<name>.<sites domain>` stays readable. */
export const SITE_NAME_LENGTH = { min: 2, max: 32 } as const;

/**
 * Names that would collide with the platform's own hostnames or confuse users. Kept lowercase;
 * compared after the charset rule has passed.
 */
export const RESERVED_SITE_NAMES: ReadonlySet<string> = new Set([
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'cdn',
  'dais',
  'dashboard',
  'default',
  'dev',
  'docs',
  'ftp',
  'git',
  'help',
  'imap',
  'localhost',
  'login',
  'mail',
  'manager',
  'mx',
  'ns',
  'ns1',
  'ns2',
  'orchestrator',
  'pop',
  'root',
  'router',
  'shell',
  'smtp',
  'ssh',
  'static',
  'status',
  'support',
  'test',
  'www',
]);

/** A failed naming rule: a stable id for programs and a sentence for people. */
export interface NameRuleViolation {
  rule: string;
  message: string;
}

/** Checks a site name against every rule, returning the first one it breaks, or null. */
export function checkSiteName(name: string): NameRuleViolation | null {
  const { min, max } = SITE_NAME_LENGTH;
  if (name.length < min || name.length > max) {
    return { rule: 'length', message: `Site name must be ${min} to ${max} characters long (got ${name.length}).` };
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    return { rule: 'charset', message: 'Site name may contain only lowercase letters a-z, digits and hyphens.' };
  }
  if (!/^[a-z]/.test(name)) {
    return { rule: 'start', message: 'Site name must start with a lowercase letter.' };
  }
  if (name.endsWith('-')) {
    return { rule: 'end', message: 'Site name must not end with a hyphen.' };
  }
  if (name.includes('--')) {
    return { rule: 'double-hyphen', message: 'Site name must not contain two hyphens in a row.' };
  }
  if (RESERVED_SITE_NAMES.has(name)) {
    return { rule: 'reserved', message: `"${name}" is reserved by the platform; choose another name.` };
  }
  return null;
}

/** Zod schema for a site name; failures carry the rule id and the SITE_NAME_INVALID code. */
export const siteNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    const violation = checkSiteName(name);
    if (violation) {
      ctx.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule, code: 'SITE_NAME_INVALID' } });
    }
  })
  .meta({
    description: 'Lowercase letters a-z, digits and hyphens; starts with a letter; no trailing or doubled hyphen; not a reserved name.',
    minLength: SITE_NAME_LENGTH.min,
    maxLength: SITE_NAME_LENGTH.max,
    pattern: '^[a-z]([a-z0-9-]*[a-z0-9])?$',
  });
