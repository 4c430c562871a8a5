import { describe, expect, it } from 'vitest';
import { CORRELATION_HEADER, correlationHeaders, correlationIdFrom, currentCorrelationId, withCorrelationId } from './correlation';

describe('correlation ids', () => {
  it('follow the work they were set for, across awaits, and nothing else', async () => {
    expect(correlationHeaders()).toEqual({});
    await withCorrelationId('op-42', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(currentCorrelationId()).toBe('op-42');
      expect(correlationHeaders()).toEqual({ [CORRELATION_HEADER]: 'op-42' });
    });
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('keep a well-formed id from a peer and replace anything else', () => {
    expect(correlationIdFrom('req-1.a:b_c')).toBe('req-1.a:b_c');
    for (const hostile of ['a b', 'x\n{"level":"fatal"}', 'é', '', 'a'.repeat(101)]) {
      const id = correlationIdFrom(hostile);
      expect(id).not.toBe(hostile);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(correlationIdFrom(['first', 'second'])).toBe('first');
    expect(correlationIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
