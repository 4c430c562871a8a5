import type { z } from 'zod';
import { DaisError } from './dais-error';
import type { ErrorCode } from './error-codes';

/** One failed rule, in a form a client can show next to the field it concerns. */
export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

/**
 * Flattens zod issues into `{ path, rule, message }` entries. Wrapper issues (a bad record key,
 * a bad map element) are replaced by the issue inside them, which says what is actually wrong.
 */
export function describeZodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const inner = (issue as { issues?: z.core.$ZodIssue[] }).issues?.[0];
    const innermost = issue.code === 'invalid_key' || issue.code === 'invalid_element' ? inner : undefined;
    const shown = innermost ?? issue;
    return {
      path: [...issue.path, ...(innermost?.path ?? [])].map(String).join('.') || '(body)',
      rule: ruleOf(shown),
      message: shown.message,
    };
  });
}

function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') {
    const params = (issue as { params?: { rule?: unknown } }).params;
    if (typeof params?.rule === 'string') return params.rule;
  }
  return issue.code;
}

/**
 * Builds the 400 for input that failed its contract. A custom code (e.g. SITE_NAME_INVALID) is
 * used when every issue carries it, so clients can tell "bad name" from "bad body".
 */
export function validationError(error: z.ZodError, what = 'request'): DaisError {
  const issues = describeZodIssues(error);
  const first = issues[0];
  const codes = new Set(error.issues.map((issue) => (issue as { params?: { code?: ErrorCode } }).params?.code));
  const [onlyCode] = codes;
  const code: ErrorCode = codes.size === 1 && onlyCode ? onlyCode : 'VALIDATION_FAILED';
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  return new DaisError(code, `Invalid ${what}: ${summary}`, { issues });
}
