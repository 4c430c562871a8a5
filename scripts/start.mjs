// npm start: runs orchestrator, router, manager (API + worker) and the SSH shell on this machine with the
// configuration `npm run setup` wrote, prints where everything is, and stops it all on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const state = process.env.DAIS_STATE_DIR ?? join(root, '.dais');
const envFile = join(state, 'dais.env');
if (!existsSync(envFile)) fail(`${envFile} is missing: run \`npm run setup\` first.`);

const env = { ...process.env, DAIS_ENV_FILE: envFile, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
const settings = Object.fromEntries(
  readFileSync(envFile, 'utf8')
    .split('\n')
    .map((line) => /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter(Boolean)
    .map((match) => [match[1], match[2]]),
);
const setting = (key, fallback) => process.env[key] ?? settings[key] ?? fallback;

const components = [
  { name: 'orchestrator', color: 36, entry: 'apps/orchestrator/dist/main.js' },
  { name: 'router', color: 35, entry: 'apps/router/dist/main.js' },
  { name: 'manager', color: 33, entry: 'apps/manager/dist/main.js' },
  { name: 'shell', color: 32, entry: 'apps/shell/dist/main.js' },
];
const runtimeModule = 'libs/shared/dist/process/service-runtime.js';
for (const entry of [...components.map((component) => component.entry), runtimeModule]) {
  if (!existsSync(join(root, entry))) fail(`${entry} is missing: run \`npm run build\` (or \`npm run setup\`).`);
}
/** Node flags and allocator settings each service runs with (see libs/shared/src/process/service-runtime.ts). */
const { serviceRuntime } = await import(join(root, runtimeModule));

const children = new Map();
let stopping = false;
for (const component of components) {
  const runtime = serviceRuntime(component.name);
  const child = spawn(process.execPath, [...runtime.nodeArgs, component.entry], {
    cwd: root,
    env: { ...runtime.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${component.color}m${component.name.padEnd(12)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(component.name);
    if (!stopping) {
      console.error(`\n${component.name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping the rest.`);
      stop(1);
    } else if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
  children.set(component.name, child);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 15_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const managerUrl = `http://127.0.0.1:${setting('DAIS_MANAGER_PORT', '7000')}`;
const sitesPort = setting('DAIS_ROUTER_HTTP_PORT', '8080');
const domain = setting('DAIS_SITES_DOMAIN', 'dais.localhost');
const sshPort = setting('DAIS_SHELL_PORT', '2222');
waitForManager().then(() => {
  const tokenFile = join(state, 'admin-token');
  console.log(`
  Dais is running.

    Dashboard      ${managerUrl}/   (sign in as admin with the password setup printed)
    API            ${managerUrl}/api   (token: ${tokenFile})
    Live events    Socket.IO at ${managerUrl}
    Sites          http://<site>.${domain}:${sitesPort}/
    SSH / SFTP     ssh -p ${sshPort} <user>@127.0.0.1   (or <user>+<site>@…; see docs/shell.md)

  Try it:
    TOKEN=$(cat ${tokenFile})
    curl -s -X POST ${managerUrl}/api/sites -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"hello"}'
    curl -s http://hello.${domain}:${sitesPort}/

  Ctrl-C stops everything.
`);
});

async function waitForManager() {
  for (let i = 0; i < 300 && !stopping; i++) {
    try {
      if ((await fetch(`${managerUrl}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}
