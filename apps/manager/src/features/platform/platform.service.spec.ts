import { describe, expect, it } from 'vitest';
import type { OidcService } from '../auth/oidc/oidc.service';
import { FakeClock } from '../../testing/fake-clock';
import { fakeFilesClient } from '../../testing/scripted-peer';
import { strictFake } from '../../testing/strict-fake';
import { testConfig } from '../../testing/test-config';
import { PlatformService } from './platform.service';

const limits = (uploadMaxBytes: number) => ({ uploadMaxBytes, archiveMaxBytes: 1 << 30, archiveMaxEntries: 10_000 });

function setup(env: Record<string, string> = {}) {
  const clock = new FakeClock();
  const files = fakeFilesClient();
  const sso = strictFake<OidcService>('sso', { enabled: false });
  const service = new PlatformService(testConfig(env), files.client, sso, clock);
  return { service, files, clock };
}

describe('describing the installation to the dashboard', () => {
  it('tells the sites domain, the shell address and the limits', async () => {
    const { service, files } = setup({ DAIS_SITES_DOMAIN: 'sites.example.org', DAIS_SHELL_PUBLIC_HOST: 'ssh.example.org' });
    files.answer('limits', () => limits(5_000_000));
    expect(await service.describe()).toMatchObject({
      sitesDomain: 'sites.example.org',
      uploadLimitBytes: 5_000_000,
      ssh: { host: 'ssh.example.org', port: 2222 },
      sso: { oidc: false },
    });
  });

  it('asks the orchestrator for its upload limit at most once a minute', async () => {
    const { service, files, clock } = setup();
    let limit = 100;
    files.answer('limits', () => limits(limit));
    await service.describe();
    limit = 200;
    clock.advance(59_999);
    expect((await service.describe()).uploadLimitBytes).toBe(100);
    expect(files.calls).toHaveLength(1);
    clock.advance(1);
    expect((await service.describe()).uploadLimitBytes).toBe(200);
    expect(files.calls).toHaveLength(2);
  });

  it('still answers while the orchestrator does not: the last limit it told, or null if it never did', async () => {
    const { service, files, clock } = setup();
    files.fail('limits');
    expect((await service.describe()).uploadLimitBytes).toBeNull();
    files.answer('limits', () => limits(300));
    await service.describe();
    files.fail('limits');
    clock.advance(60_000);
    expect((await service.describe()).uploadLimitBytes).toBe(300);
  });
});
