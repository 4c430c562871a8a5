import { describe, expect, it } from 'vitest';
import { siteEnvSchema } from '../contracts/runtime';
import { siteNameSchema } from '../naming/site-name';
import { DaisError } from './dais-error';
import { toErrorResponse } from './error-body';
import { ERROR_CATALOGUE, httpStatusOf } from './error-codes';
import { validationError } from './zod-error';

describe('error model', () => {
  it('maps every code to a 4xx or 5xx status', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[]) {
      expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
      expect(httpStatusOf(code)).toBeLessThan(600);
    }
  });

  it('answers coded errors with their message and status', () => {
    const response = toErrorResponse(new DaisError('SITE_NOT_FOUND', 'No site 7.'));
    expect(response).toEqual({ status: 404, body: { error: { code: 'SITE_NOT_FOUND', message: 'No site 7.' } } });
  });

  it('hides unexpected errors behind a correlation id', () => {
    const response = toErrorResponse(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'));
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(response.body)).not.toMatch(/hunter2|ECONNREFUSED|at /);
    expect(response.body.error.message).toContain(response.unexpected?.correlationId ?? 'missing');
  });

  it('explains a bad record key by what is wrong with it, not as "Invalid key in record"', () => {
    const result = siteEnvSchema.safeParse({ PORT: '80' });
    if (result.success) throw new Error('expected failure');
    expect(validationError(result.error, 'env').message).toBe('Invalid env: PORT: is set by Dais and cannot be overridden');
  });

  it('turns a failed site-name rule into SITE_NAME_INVALID naming the rule', () => {
    const result = siteNameSchema.safeParse('1abc');
    if (result.success) throw new Error('expected failure');
    const error = validationError(result.error, 'site');
    expect(error.code).toBe('SITE_NAME_INVALID');
    expect(error.details).toEqual({
      issues: [{ path: '(body)', rule: 'start', message: 'Site name must start with a lowercase letter.' }],
    });
  });
});
