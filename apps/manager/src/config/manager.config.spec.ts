import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManagerConfig } from './manager.config';

const required = { DATABASE_URL: 'postgresql://dais@localhost/dais' };

describe('manager configuration for the dashboard', () => {
  it('finds the built dashboard beside the manager, whatever the working directory', () => {
    expect(loadManagerConfig(required).web.root).toBe(join(__dirname, '../../web/dist'));
    expect(loadManagerConfig({ ...required, DAIS_WEB_ROOT: '/srv/dais-web' }).web.root).toBe('/srv/dais-web');
    expect(() => loadManagerConfig({ ...required, DAIS_WEB_ROOT: 'relative/web' })).toThrow(/DAIS_WEB_ROOT/);
  });

  it("tells people the shell's own port unless a public one is set", () => {
    expect(loadManagerConfig(required).shell).toEqual({ publicHost: '127.0.0.1', publicPort: 2222 });
    expect(loadManagerConfig({ ...required, DAIS_SHELL_PORT: '2022' }).shell.publicPort).toBe(2022);
    const behindBalancer = loadManagerConfig({
      ...required,
      DAIS_SHELL_PORT: '2022',
      DAIS_SHELL_PUBLIC_PORT: '22',
      DAIS_SHELL_PUBLIC_HOST: 'ssh.example.org',
    });
    expect(behindBalancer.shell).toEqual({ publicHost: 'ssh.example.org', publicPort: 22 });
    expect(() => loadManagerConfig({ ...required, DAIS_SHELL_PUBLIC_HOST: 'evil host; rm' })).toThrow(/DAIS_SHELL_PUBLIC_HOST/);
  });

  it('finds the secrets key file in the state folder unless told where', () => {
    expect(loadManagerConfig({ ...required, DAIS_STATE_DIR: '/srv/dais' }).secrets.keyFile).toBe('/srv/dais/secrets/secrets.key');
    expect(loadManagerConfig({ ...required, DAIS_SECRETS_KEY_FILE: '/etc/dais/keys' }).secrets.keyFile).toBe('/etc/dais/keys');
    expect(() => loadManagerConfig({ ...required, DAIS_SECRETS_KEY_FILE: 'keys' })).toThrow(/DAIS_SECRETS_KEY_FILE/);
  });

  it('takes an optional metrics token, refusing short or spaced ones', () => {
    expect(loadManagerConfig(required).metrics.token).toBeNull();
    const token = 'a'.repeat(32);
    expect(loadManagerConfig({ ...required, DAIS_METRICS_TOKEN: token }).metrics.token).toBe(token);
    expect(() => loadManagerConfig({ ...required, DAIS_METRICS_TOKEN: 'short' })).toThrow(/DAIS_METRICS_TOKEN/);
    expect(() => loadManagerConfig({ ...required, DAIS_METRICS_TOKEN: `${token} x` })).toThrow(/DAIS_METRICS_TOKEN/);
  });
});
