import { describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../config/manager.config';
import { HealthController } from './health.controller';

describe('HealthController', () => {
  it('says the process is up and which role it plays, nothing more', () => {
    expect(new HealthController({ role: 'api' } as ManagerConfig).health()).toEqual({ status: 'ok', role: 'api' });
  });
});
