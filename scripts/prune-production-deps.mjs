// Removes from a production install (npm ci --omit=dev) every package nothing running needs.
// npm keeps a devDependency when a production package also names it as an *optional* peer:
// @prisma/client's optional peer `prisma` (the CLI) brings Prisma Studio, a bundled PostgreSQL in
// wasm, effect and typescript, ~160 MB the services never load. This walks the lockfile from the
// workspaces' dependencies (and the extra packages named) along dependencies, optional
// dependencies and required peers, resolving each name as Node does, and deletes the rest.
//   node scripts/prune-production-deps.mjs <install dir> [extra root package …]
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [installDir, ...extraRoots] = process.argv.slice(2);
if (!installDir) {
  console.error('usage: prune-production-deps.mjs <install dir> [package …]');
  process.exit(64);
}
const { packages } = JSON.parse(readFileSync(join(installDir, 'package-lock.json'), 'utf8'));

/** Where Node finds `name` when `from` (a lockfile location) requires it: the nearest node_modules up the tree. */
function resolve(from, name) {
  for (let dir = from; ; dir = dirname(dir)) {
    const base = dir === '.' || dir === '' ? '' : `${dir}/`;
    const candidate = `${base}node_modules/${name}`;
    if (packages[candidate] && existsSync(join(installDir, candidate))) return candidate;
    if (base === '') return undefined;
  }
}

/** The names a package needs at run time: not devDependencies, not optional peers. */
function runtimeNames(entry) {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

const workspaces = Object.keys(packages).filter((location) => location !== '' && !location.includes('node_modules/'));
const kept = new Set();
const queue = [...workspaces.map((location) => ({ location, names: runtimeNames(packages[location]) }))];
queue.push({ location: '', names: extraRoots });
while (queue.length > 0) {
  const { location, names } = queue.shift();
  for (const name of names) {
    const found = resolve(location, name);
    if (!found || kept.has(found)) continue;
    kept.add(found);
    const entry = packages[found];
    // A workspace link: the package itself is the workspace folder, already walked.
    if (entry.link) continue;
    queue.push({ location: found, names: runtimeNames(entry) });
  }
}

let removed = 0;
for (const location of Object.keys(packages)) {
  if (!location.includes('node_modules/') || kept.has(location)) continue;
  const path = join(installDir, location);
  if (!existsSync(path)) continue;
  rmSync(path, { recursive: true, force: true });
  removed++;
}
console.log(`  + pruned ${removed} packages no service loads (${kept.size} kept)`);
