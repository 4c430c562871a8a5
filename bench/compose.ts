// What does the compose deployment cost? (a) image sizes of the four components (manager,
// orchestrator, router, shell) with the layers they share counted once (target ≤ 600 MB);
// (b) optionally a cold build of the shared layers (--cold: the Debian packages layer and the
// node_modules + code layer without Docker's cache; the debootstrapped base is reused);
// (c) `docker-compose up -d` on built images → manager /ready and a site served (target ≤ 30 s),
// on first start (fresh volumes) and after `down` + `up -d` (the site already exists);
// (d) idle memory per container (target: the four components ≤ 400 MB).
// Builds the images first (warm cache: seconds when nothing changed). Runs its own project
// (test/compose/compose-project.ts: dais-ct-*, ports from the test pool), always removed.
// Usage: npm run bench:compose -- [--cold]
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ComposeProject } from '../test/compose/compose-project';
import { REPO_ROOT } from '../test/support/dev-env';
import { eventually, getWithHost } from '../test/support/http';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions } from './conditions';
import { onCleanup, runCleanups } from './support/cleanup';

const run = promisify(execFile);
const COMPONENTS = ['manager', 'orchestrator', 'router', 'shell'] as const;
const TARGET = { imagesMb: 600, upToServedMs: 30_000, idleMb: 400 } as const;
const DOMAIN = 'bench.test';
const MB = 1e6;

interface ImageInfo {
  size: number;
  layers: string[];
}

async function inspectImage(reference: string): Promise<ImageInfo> {
  const { stdout } = await run('docker', ['image', 'inspect', reference, '--format', '{{json .}}']);
  const image = JSON.parse(stdout) as { Size: number; RootFS: { Layers: string[] } };
  return { size: image.Size, layers: image.RootFS.Layers };
}

/** Every component image is dais/app plus its own layers: the shared part once, then what each adds. */
async function imageSizes(): Promise<{ lines: string[]; totalMb: number }> {
  const base = await inspectImage('dais/base:trixie');
  const runtime = await inspectImage('dais/runtime:trixie');
  const app = await inspectImage('dais/app:latest');
  const lines = [
    `dais/base:trixie      ${(base.size / MB).toFixed(0)} MB`,
    `dais/runtime:trixie   +${((runtime.size - base.size) / MB).toFixed(0)} MB (nodejs and the Debian packages of every component)`,
    `dais/app:latest       +${((app.size - runtime.size) / MB).toFixed(0)} MB (production node_modules + built code)`,
  ];
  let total = app.size;
  for (const component of COMPONENTS) {
    const image = await inspectImage(`dais/${component}:latest`);
    if (app.layers.some((layer, index) => image.layers[index] !== layer))
      throw new Error(`dais/${component} is not built on the current dais/app: run npm run images`);
    total += image.size - app.size;
    lines.push(
      `dais/${component.padEnd(13)} +${((image.size - app.size) / 1e3).toFixed(0)} kB of its own (${(image.size / MB).toFixed(0)} MB alone)`,
    );
  }
  return { lines, totalMb: total / MB };
}

function buildImages(env: Record<string, string> = {}): number {
  const started = performance.now();
  execFileSync('bash', ['scripts/build-images.sh'], { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return performance.now() - started;
}

/** Time from `up -d` until /ready answers 200 and `site` is served through the router's published port. */
async function upUntilServed(
  project: ComposeProject,
  site: string,
  createSite: () => Promise<void>,
): Promise<{ readyMs: number; servedMs: number }> {
  const started = performance.now();
  await project.compose('up', '-d');
  await project.ready(180_000, 100);
  const readyMs = performance.now() - started;
  await createSite();
  await eventually(
    () => getWithHost(project.ports.routerHttp, `${site}.${DOMAIN}`).catch(() => ({ status: 0, body: '' })),
    (page) => page.status === 200,
    120_000,
    100,
  );
  return { readyMs, servedMs: performance.now() - started };
}

/** `docker stats` memory of every container of the project, in MB. */
async function memoryByService(project: ComposeProject): Promise<Map<string, number>> {
  const { stdout } = await run('docker', ['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}']);
  const units: Record<string, number> = { B: 1e-6, KiB: 1024 / MB, MiB: 2 ** 20 / MB, GiB: 2 ** 30 / MB };
  const memory = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = new RegExp(`^${project.name}_(.+)_1 ([\\d.]+)(B|KiB|MiB|GiB) /`).exec(line);
    if (match?.[1] && match[2] && match[3]) memory.set(match[1], Number(match[2]) * (units[match[3]] ?? NaN));
  }
  return memory;
}

async function main(): Promise<void> {
  console.log(describeConditions());
  console.log(`docker:   ${execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()}\n`);
  if (process.argv.includes('--cold')) {
    const coldMs = buildImages({ DAIS_IMAGES_NO_CACHE: '1', DAIS_IMAGES_SKIP_BUILD: '1', DAIS_IMAGES_RESTAGE: '1' });
    console.log(`\ncold build (base reused, npm ci staged again, every layer without cache): ${(coldMs / 1000).toFixed(0)} s\n`);
  }
  const warmMs = buildImages({ DAIS_IMAGES_SKIP_BUILD: '1' });
  console.log(`\nwarm build (nothing changed): ${(warmMs / 1000).toFixed(0)} s\n`);

  const sizes = await imageSizes();
  console.log(sizes.lines.join('\n'));
  console.log(`four components, shared layers once: ${sizes.totalMb.toFixed(0)} MB (target ≤ ${TARGET.imagesMb} MB)\n`);

  const dir = await tempDir('bench-compose');
  onCleanup(() => dir.remove());
  const project = await ComposeProject.create(dir.path, DOMAIN);
  onCleanup(() => project.remove());

  let token = '';
  const createSite = async () => {
    token ||= await project.adminToken();
    const response = await fetch(`http://127.0.0.1:${project.ports.manager}/api/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'first' }),
    });
    if (response.status !== 202) throw new Error(`POST /api/sites: ${response.status} ${await response.text()}`);
  };
  const first = await upUntilServed(project, 'first', createSite);
  console.log(
    `first start: up -d → /ready ${(first.readyMs / 1000).toFixed(1)} s, → site created and served ${(first.servedMs / 1000).toFixed(1)} s`,
  );
  await project.compose('down', '-t', '5');
  const again = await upUntilServed(project, 'first', () => Promise.resolve());
  console.log(
    `after down:  up -d → /ready ${(again.readyMs / 1000).toFixed(1)} s, → its site served ${(again.servedMs / 1000).toFixed(1)} s (target ≤ ${TARGET.upToServedMs / 1000} s)\n`,
  );

  // Idle: nothing asked of the stack for a while after it started.
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  const memory = await memoryByService(project);
  for (const [service, mb] of [...memory].sort((a, b) => b[1] - a[1])) console.log(`${service.padEnd(20)} ${mb.toFixed(1)} MB`);
  const components = COMPONENTS.reduce((sum, component) => sum + (memory.get(component) ?? NaN), 0);
  const sidecars = (memory.get('orchestrator-nginx') ?? NaN) + (memory.get('router-nginx') ?? NaN);
  const all = [...memory.values()].reduce((sum, mb) => sum + mb, 0);
  console.log(
    `four components idle: ${components.toFixed(0)} MB (+ their nginx sidecars ${sidecars.toFixed(0)} MB; target ≤ ${TARGET.idleMb} MB)`,
  );
  console.log(`whole stack idle: ${all.toFixed(0)} MB in ${memory.size} containers`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
