import type { z } from 'zod';

/**
 * Checks a request with the server's own zod schema before sending it: the messages per field
 * (dotted path → first message), empty when it passes. The server checks again; it stays the judge.
 */
export function fieldProblems(schema: z.ZodType, value: unknown): Record<string, string> {
  const result = schema.safeParse(value);
  if (result.success) return {};
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.');
    problems[path] ??= issue.message;
  }
  return problems;
}
