import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalancerConfigError, parseBalancerConfig } from '../nginx/lb/balancer-config';
import { renderBalancerConfig } from '../nginx/lb/balancer.render';
import { REPO_ROOT } from './support/dev-env';
import { expectGolden } from './support/golden';
import { setupInternalCa } from './support/load-balancer';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);
const EXAMPLES = join(REPO_ROOT, 'nginx/lb/examples');
const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('balancer descriptions render to the checked-in example configs', () => {
  it.each(['manager-balancer', 'control-balancer'])('%s', (name) => {
    expectGolden(join(EXAMPLES, `${name}.conf`), renderBalancerConfig(parseBalancerConfig(example(name))));
  });
});

/** A valid description with one thing made hostile; every one must be refused before anything is rendered. */
const target = {
  name: 'orchestrator-1',
  role: 'orchestrator',
  listen: { host: '10.0.0.2', port: 7443 },
  upstreams: [{ host: '10.0.1.1', port: 7100 }],
};
const valid = {
  prefix: '/var/lib/dais/lb',
  tls: { certificate: '/etc/dais/tls/balancer.crt', key: '/etc/dais/tls/balancer.key', clientCertificateAuthority: '/etc/dais/tls/ca.crt' },
  callers: { shell: { certificateCommonName: 'dais-shell' }, manager: { sourceAddresses: ['10.0.0.10'] } },
  targets: [target],
};
const HOSTILE: [string, Record<string, unknown>][] = [
  ['a target name with nginx syntax', { targets: [{ ...target, name: 'orch;evil' }] }],
  [
    'an upstream that injects a directive',
    { targets: [{ ...target, upstreams: [{ host: '10.0.1.1; include /etc/passwd', port: 7100 }] }] },
  ],
  [
    'an upstream hostname (nginx would resolve it once)',
    { targets: [{ ...target, upstreams: [{ host: 'orchestrator.internal', port: 7100 }] }] },
  ],
  ['port 0', { targets: [{ ...target, listen: { host: '10.0.0.2', port: 0 } }] }],
  ['port 70000', { targets: [{ ...target, upstreams: [{ host: '10.0.1.1', port: 70000 }] }] }],
  ['a server name with a variable', { targets: [{ ...target, serverName: '$host' }] }],
  ['a certificate name that closes the map', { callers: { shell: { certificateCommonName: 'dais-shell" shell; } #' } } }],
  ['a certificate name with a regex', { callers: { shell: { certificateCommonName: '.*' } } }],
  ['a source address with a trailing directive', { callers: { shell: { sourceAddresses: ['10.0.0.1 shell;'] } } }],
  ['a network wider than IPv4 allows', { callers: { shell: { sourceAddresses: ['10.0.0.0/33'] } } }],
  ['an unknown caller', { callers: { router: { sourceAddresses: ['10.0.0.1'] } } }],
  ['a certificate identity without TLS', { tls: undefined }],
  ['a prefix that climbs out', { prefix: '/var/lib/../../etc' }],
  ['a relative prefix', { prefix: 'lb' }],
  ['a certificate path with a space', { tls: { ...valid.tls, certificate: '/etc/dais/my cert.pem' } }],
  ['two targets with one name', { targets: [target, { ...target, listen: { host: '10.0.0.2', port: 7444 } }] }],
  ['two targets on one listener', { targets: [target, { ...target, name: 'orchestrator-2' }] }],
  ['an unknown role', { targets: [{ ...target, role: 'database' }] }],
  ['a fractional body limit', { maxBodyMegabytes: 1.5 }],
  ['an unknown key', { include: '/etc/nginx/evil.conf' }],
];

describe('balancer descriptions refuse hostile values', () => {
  it('accepts the valid base description', () => {
    expect(() => parseBalancerConfig(valid)).not.toThrow();
  });
  it.each(HOSTILE)('refuses %s', (_name, change) => {
    expect(() => parseBalancerConfig({ ...valid, ...change })).toThrow(BalancerConfigError);
  });
});

describe('scripts/setup-internal-ca.mjs', () => {
  let state: Awaited<ReturnType<typeof tempDir>>;
  let other: Awaited<ReturnType<typeof tempDir>>;
  const tls = (name: string) => join(state.path, 'tls', name);
  const openssl = async (...args: string[]) => (await run('openssl', args)).stdout;
  const contents = async () =>
    Promise.all(['ca', 'shell', 'manager', 'balancer'].flatMap((n) => [`${n}.crt`, `${n}.key`].map((f) => readFile(tls(f), 'utf8'))));

  beforeAll(async () => {
    state = await tempDir('internal-ca');
    other = await tempDir('other-ca');
  });
  afterAll(async () => {
    await state.remove();
    await other.remove();
  });

  it('creates a CA and certificates once, with private keys readable by the owner only', async () => {
    const first = await setupInternalCa(state.path);
    expect(first.output).toContain('+ created the internal CA');
    expect((await stat(join(state.path, 'tls'))).mode & 0o777).toBe(0o700);
    for (const name of ['ca', 'shell', 'manager', 'balancer']) expect((await stat(tls(`${name}.key`))).mode & 0o777).toBe(0o600);
    const before = await contents();
    const second = await setupInternalCa(state.path);
    expect(second.output).not.toContain('+');
    expect(await contents()).toEqual(before);
  });

  it('issues the shell a client certificate named dais-shell that only its own CA vouches for', async () => {
    await setupInternalCa(state.path);
    const text = await openssl('x509', '-in', tls('shell.crt'), '-noout', '-subject', '-ext', 'extendedKeyUsage');
    expect(text).toMatch(/CN ?= ?dais-shell/);
    expect(text).toContain('TLS Web Client Authentication');
    await expect(openssl('verify', '-CAfile', tls('ca.crt'), tls('shell.crt'))).resolves.toContain('OK');
    await setupInternalCa(other.path);
    await expect(openssl('verify', '-CAfile', tls('ca.crt'), join(other.path, 'tls', 'shell.crt'))).rejects.toThrow();
  });

  it('reissues only what is missing, or signed by a CA that was replaced', async () => {
    await setupInternalCa(state.path);
    const manager = await readFile(tls('manager.crt'), 'utf8');
    await unlink(tls('shell.crt'));
    const rotated = await setupInternalCa(state.path);
    expect(rotated.output).toContain('+ issued the shell certificate');
    expect(await readFile(tls('manager.crt'), 'utf8')).toBe(manager);
    await rm(tls('ca.key'));
    const replaced = await setupInternalCa(state.path);
    expect(replaced.output).toContain('+ created the internal CA');
    await expect(openssl('verify', '-CAfile', tls('ca.crt'), tls('manager.crt'))).resolves.toContain('OK');
  });

  it('adds requested server names to the balancer certificate and refuses hostile ones', async () => {
    await run(process.execPath, [
      join(REPO_ROOT, 'scripts/setup-internal-ca.mjs'),
      '--state',
      state.path,
      '--server-name',
      'lb.example.org',
    ]);
    expect(await openssl('x509', '-in', tls('balancer.crt'), '-noout', '-ext', 'subjectAltName')).toContain('DNS:lb.example.org');
    await expect(
      run(process.execPath, [
        join(REPO_ROOT, 'scripts/setup-internal-ca.mjs'),
        '--state',
        state.path,
        '--server-name',
        'x,DNS:evil.example',
      ]),
    ).rejects.toThrow(/refusing server name/);
  });
});
