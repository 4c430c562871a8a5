import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecretsKey, writeKeyring } from '../apps/manager/src/infrastructure/secrets/secrets-keyring';
import { REPO_ROOT } from './support/dev-env';
import { writeComponentKeys } from './support/keys';
import { freePorts } from './support/ports';
import { tempDir } from './support/temp-dir';

type Entry = 'manager' | 'orchestrator' | 'router' | 'shell' | 'admin';

const SCRIPT: Record<Entry, string[]> = {
  manager: ['apps/manager/dist/main.js'],
  orchestrator: ['apps/orchestrator/dist/main.js'],
  router: ['apps/router/dist/main.js'],
  shell: ['apps/shell/dist/main.js'],
  admin: ['apps/manager/dist/cli/admin.js', 'reset-password', 'root'],
};

/** Runs a component's real entry with only these settings; resolves when it exits (or is killed after 30 s). */
function runEntry(entry: Entry, env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve) => {
    const [script = '', ...args] = SCRIPT[entry];
    // A clean environment: nothing from the developer's shell or .dais/ can make a case pass.
    execFile(
      process.execPath,
      [join(REPO_ROOT, script), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          lines: `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== ''),
        }),
    );
  });
}

describe('a missing or invalid setting stops each component with one line naming it (real entry points)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ports: number[];
  /** Settings each component would start with, but for the one a case breaks. */
  let good: Record<Entry, Record<string, string>>;

  beforeAll(async () => {
    dir = await tempDir('bad-config');
    await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'router', 'shell']);
    writeKeyring(join(dir.path, 'secrets/secrets.key'), [newSecretsKey()]);
    ports = await freePorts(8);
    const state = { DAIS_STATE_DIR: dir.path, DAIS_LOG_LEVEL: 'warn' };
    const manager = { ...state, DATABASE_URL: 'postgresql://dais@127.0.0.1:1/none', DAIS_MANAGER_PORT: String(ports[0]) };
    good = {
      manager,
      admin: manager,
      orchestrator: {
        ...state,
        DAIS_ORCHESTRATOR_PORT: String(ports[1]),
        DAIS_ORCHESTRATOR_SITES_PORT: String(ports[2]),
        DAIS_ORCHESTRATOR_STATUS_PORT: String(ports[3]),
      },
      router: {
        ...state,
        DAIS_ROUTER_PORT: String(ports[4]),
        DAIS_ROUTER_HTTP_PORT: String(ports[5]),
        DAIS_ROUTER_STATUS_PORT: String(ports[6]),
      },
      shell: { ...state, DAIS_SHELL_PORT: String(ports[7]) },
    };
  });

  afterAll(async () => {
    await dir.remove();
  });

  const cases: { entry: Entry; what: string; env: (dir: string) => Record<string, string | undefined>; line: RegExp }[] = [
    {
      entry: 'manager',
      what: 'a port out of range',
      env: () => ({ DAIS_MANAGER_PORT: '70000' }),
      line: /DAIS_MANAGER_PORT: must be 1-65535$/,
    },
    {
      entry: 'manager',
      what: 'no DATABASE_URL (worker role)',
      env: () => ({ DATABASE_URL: undefined, DAIS_MANAGER_ROLE: 'worker' }),
      line: /DATABASE_URL: is required \(postgresql:\/\/user:password@host:5432\/database\)$/,
    },
    {
      entry: 'manager',
      what: 'an unknown role',
      env: () => ({ DAIS_MANAGER_ROLE: 'boss' }),
      line: /DAIS_MANAGER_ROLE: must be all, api or worker$/,
    },
    {
      entry: 'manager',
      what: 'a secrets key file that is not there',
      env: (root) => ({ DAIS_SECRETS_KEY_FILE: join(root, 'nowhere.key') }),
      line: /the secrets key file .*nowhere\.key does not exist.*DAIS_SECRETS_KEY_FILE/,
    },
    {
      entry: 'manager',
      what: 'migrations on start against a database that cannot be reached',
      env: () => ({ DAIS_MIGRATE_ON_START: 'true', DATABASE_URL: 'postgresql://dais@nohost.invalid:5432/none' }),
      line: /migrations failed: getaddrinfo ENOTFOUND nohost\.invalid$/,
    },
    {
      entry: 'manager',
      what: 'a bootstrap admin name that is no username',
      env: () => ({ DAIS_BOOTSTRAP_ADMIN: 'Root!' }),
      line: /DAIS_BOOTSTRAP_ADMIN: must be/,
    },
    {
      entry: 'orchestrator',
      what: 'a port that is not a number',
      env: () => ({ DAIS_ORCHESTRATOR_PORT: 'http' }),
      line: /DAIS_ORCHESTRATOR_PORT: /,
    },
    {
      entry: 'orchestrator',
      what: 'a keys folder without the keys',
      env: (root) => ({ DAIS_KEYS_DIR: join(root, 'empty') }),
      line: /DAIS_KEYS_DIR: .*empty\/public\/manager\.pub is missing \(setup writes the keys\)$/,
    },
    {
      entry: 'router',
      what: 'a relative state folder',
      env: () => ({ DAIS_STATE_DIR: 'state' }),
      line: /DAIS_STATE_DIR: must be an absolute path/,
    },
    {
      entry: 'router',
      what: 'a keys folder without the keys',
      env: (root) => ({ DAIS_KEYS_DIR: join(root, 'empty') }),
      line: /DAIS_KEYS_DIR: .*is missing \(setup writes the keys\)$/,
    },
    { entry: 'shell', what: 'a port out of range', env: () => ({ DAIS_SHELL_PORT: '0' }), line: /DAIS_SHELL_PORT: must be 1-65535$/ },
    { entry: 'shell', what: 'no host keys', env: () => ({}), line: /DAIS_SHELL_HOST_KEYS_DIR: no host key in / },
    {
      entry: 'admin',
      what: 'a bad port setting',
      env: () => ({ DAIS_MANAGER_PORT: 'x' }),
      line: /^admin: Invalid configuration \(1 problem\): DAIS_MANAGER_PORT: /,
    },
  ];

  it.each(cases)('$entry: $what', async ({ entry, env, line }) => {
    // A case's undefined value takes the setting away.
    const merged = { ...good[entry], ...env(dir.path) };
    const settings = Object.fromEntries(Object.entries(merged).filter((pair): pair is [string, string] => pair[1] !== undefined));
    const result = await runEntry(entry, settings);
    expect(result.code, result.lines.join('\n')).toBe(1);
    expect(result.lines, 'exactly one line, no stack trace').toHaveLength(1);
    expect(result.lines[0]).toMatch(entry === 'admin' ? /^admin: / : new RegExp(`^${entry} could not start: `));
    expect(result.lines[0]).toMatch(line);
    // Nothing was left listening (a half-started component would still hold its port).
    for (const port of ports) {
      expect(
        await fetch(`http://127.0.0.1:${port}/`).then(
          () => 'open',
          () => 'closed',
        ),
      ).toBe('closed');
    }
  });
});
