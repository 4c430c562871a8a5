import { loadManagerConfig, type ManagerConfig } from '../config/manager.config';

/** The manager's configuration from its defaults (plus `env`), as a service under test reads it. */
export function testConfig(env: Record<string, string> = {}): ManagerConfig {
  return loadManagerConfig({ DATABASE_URL: 'postgresql://dais@localhost/dais', ...env });
}
