import { describe, expect, it, vi } from 'vitest';
import { strictFake } from '../../testing/http/strict-fake';
import { PlatformController } from './platform.controller';
import type { PlatformService } from './platform.service';

describe('PlatformController', () => {
  it('answers what the platform service describes', async () => {
    const view = { sitesDomain: 'sites.example.org' };
    const describe_ = vi.fn().mockResolvedValue(view);
    expect(await new PlatformController(strictFake<PlatformService>('PlatformService', { describe: describe_ })).describe()).toBe(view);
  });
});
