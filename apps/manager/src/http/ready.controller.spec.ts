import { describe, expect, it, vi } from 'vitest';
import { fakeReply } from '../testing/http/fake-http';
import { strictFake } from '../testing/http/strict-fake';
import { ReadyController } from './ready.controller';
import type { ReadinessService } from './ready.service';

describe('ReadyController', () => {
  it.each([
    ['ready', 200],
    ['not-ready', 503],
  ])('answers a %s check with %i, never cached', async (status, code) => {
    const readiness = { status, checks: {} };
    const check = vi.fn().mockResolvedValue(readiness);
    const { reply, recorded } = fakeReply();
    expect(await new ReadyController(strictFake<ReadinessService>('ReadinessService', { check })).ready(reply)).toBe(readiness);
    expect(recorded.statusCode).toBe(code);
    expect(recorded.headers['cache-control']).toBe('no-store');
  });
});
