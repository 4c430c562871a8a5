// Entrypoint of the dais/balancer image: renders one of the compose deployment's balancers from its
// settings with nginx/lb's renderer (docs/load-balancers.md), runs nginx in the foreground, and
// follows the compose services it forwards to: every 5 s it resolves their names again and, when
// an address changed (a recreated container), renders, tests and reloads. Bundled by
// scripts/build-images.sh into /usr/local/lib/dais/balancer.mjs.
//   DAIS_BALANCER_KIND=public    browsers → manager (plain HTTP; the published dashboard/API port)
//   DAIS_BALANCER_KIND=internal  shell → manager /shell-server/ (TLS, shell certificate)
//   DAIS_BALANCER_KIND=control   manager and shell → orchestrator and router APIs (TLS, certificates)
import { spawn, execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BalancerConfigError, parseBalancerConfig } from '../../nginx/lb/balancer-config.ts';
import { renderBalancerConfig } from '../../nginx/lb/balancer.render.ts';

const env = process.env;
const kind = env.DAIS_BALANCER_KIND ?? '';
const prefix = '/var/lib/dais-balancer';
const confFile = join(prefix, 'nginx.conf');
const tls = {
  certificate: '/etc/dais/tls/balancer.crt',
  key: '/etc/dais/tls/balancer.key',
  clientCertificateAuthority: '/etc/dais/tls/ca.crt',
};

/** A port setting, or the one line that stops the container. */
function port(name) {
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(`${name}: must be a port number (1-65535)`);
  return value;
}
function fail(line) {
  console.error(`balancer: invalid setting ${line}`);
  process.exit(78);
}
async function address(host) {
  return (await lookup(host, { family: 4 })).address;
}

/** The balancer description for this kind, with compose service names resolved to addresses. */
async function describe() {
  const manager = async () => [{ host: await address(env.DAIS_BALANCER_MANAGER_HOST ?? 'manager'), port: 7000 }];
  const target = (name, role, listen, upstreams) => ({ name, role, listen, upstreams });
  switch (kind) {
    case 'public':
      return { prefix, callers: {}, targets: [target('manager', 'manager', { host: '0.0.0.0', port: 7000 }, await manager())] };
    case 'internal':
      return {
        prefix,
        tls,
        callers: { shell: { certificateCommonName: 'dais-shell' } },
        targets: [target('manager', 'manager', { host: '0.0.0.0', port: 7443 }, await manager())],
      };
    case 'control': {
      const gateway = env.DAIS_HOST_GATEWAY ?? '';
      return {
        prefix,
        tls,
        callers: { shell: { certificateCommonName: 'dais-shell' }, manager: { certificateCommonName: 'dais-manager' } },
        targets: [
          target('orchestrator', 'orchestrator', { host: gateway, port: port('DAIS_CONTROL_ORCHESTRATOR_PORT') }, [
            { host: '127.0.0.1', port: port('DAIS_ORCHESTRATOR_PORT') },
          ]),
          target('router', 'router', { host: gateway, port: port('DAIS_CONTROL_ROUTER_PORT') }, [
            { host: '127.0.0.1', port: port('DAIS_ROUTER_PORT') },
          ]),
        ],
      };
    }
    default:
      return fail('DAIS_BALANCER_KIND: must be public, internal or control');
  }
}

/** Renders the description; a description the renderer refuses stops the container with its problems. */
function render(description) {
  try {
    return renderBalancerConfig(parseBalancerConfig(description));
  } catch (error) {
    if (error instanceof BalancerConfigError) fail(error.message.replace(/\n\s*/g, '; '));
    throw error;
  }
}

for (const dir of ['run', 'logs', 'temp']) mkdirSync(join(prefix, dir), { recursive: true });
let rendered = render(await describe());
writeFileSync(confFile, rendered);
const nginx = spawn('nginx', ['-g', 'daemon off;', '-p', prefix, '-e', join(prefix, 'logs/error.log'), '-c', confFile], {
  stdio: 'inherit',
});
nginx.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => nginx.kill('SIGQUIT'));
console.log(`balancer (${kind}) serving`);

setInterval(() => {
  describe()
    .then((description) => {
      const next = render(description);
      if (next === rendered) return;
      writeFileSync(`${confFile}.next`, next);
      execFileSync('nginx', ['-t', '-q', '-p', prefix, '-e', 'stderr', '-c', `${confFile}.next`], { stdio: 'inherit' });
      writeFileSync(confFile, next);
      rendered = next;
      nginx.kill('SIGHUP');
      console.log(`balancer (${kind}): an upstream moved; reloaded`);
    })
    .catch((error) => console.error(`balancer (${kind}): keeping the current config: ${error.message}`));
}, 5_000).unref();
