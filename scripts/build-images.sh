#!/usr/bin/env bash
# npm run images: builds every image docker-compose.yml runs, locally and without any registry
# (docs/deployment.md). Each is tagged dais/<name>:latest and dais/<name>:<git short commit>.
#   dais/base:trixie   debootstrap --variant=minbase trixie, imported (no registry)
#   dais/runtime:trixie  + Debian's nodejs 20.19 and every Debian package a component needs
#   dais/app           + production node_modules and the built workspaces (shared by all below)
#   manager orchestrator router shell balancer init   + users' folders, settings, entrypoints (KBs)
#   postgres redis     Debian's postgresql-17 and redis-server on the base
# Also the site base images of scripts/setup-images.sh (dais/busybox, dais/debian:bookworm),
# which the default image catalogue names.
# Idempotent and fast when nothing changed: the base is made once (DAIS_REBUILD_IMAGES=1 redoes
# it), node_modules are staged again only when the lockfile changes, and Docker's layer cache
# does the rest. DAIS_IMAGES_NO_CACHE=1 builds every layer afresh and DAIS_IMAGES_RESTAGE=1 runs
# the production npm ci again (a cold build for bench/compose.ts --cold).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONTEXT="$ROOT/deploy/.context"
SUITE=trixie
MIRROR="${DAIS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DAIS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COMPONENTS=(manager orchestrator router shell balancer init postgres redis)
# Workspaces whose production dependencies the images carry (not the dashboard's: it ships built).
WORKSPACES=(libs/shared libs/nginx apps/orchestrator apps/router apps/manager apps/shell)
# The migration tool (apps/manager/scripts/migrate.mjs) runs Prisma's wasm schema engine; these are
# devDependencies of the checkout (see notes on offline Prisma) but the manager needs them at start.
MIGRATOR_PACKAGES=(@prisma/schema-engine-wasm @prisma/driver-adapter-utils @prisma/debug pg-connection-string)

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
die() { printf '\nbuilding images failed: %s\n' "$*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
# Debian's CLI (docker.io) speaks the engine's API version; another `docker` earlier in PATH may not.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker) || die "no docker CLI"; fi
docker_() { as_root "$DOCKER" "$@"; }
TAG=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo dev)
# Built from uncommitted changes: not that commit's images, and never mistaken for them.
if [ "$TAG" != dev ] && [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then TAG="$TAG-dirty"; fi

base_image() {
  local image=dais/base:$SUITE
  if [ "${DAIS_REBUILD_IMAGES:-0}" != 1 ] && docker_ image inspect "$image" >/dev/null 2>&1; then ok "$image exists"; return; fi
  command -v debootstrap >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring >/dev/null
  local work started=$SECONDS
  work=$(mktemp -d "${TMPDIR:-/tmp}/dais-base.XXXXXX")
  trap 'as_root rm -rf "$work"' RETURN
  as_root debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$SUITE" "$work/root" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 || die "debootstrap $SUITE failed: $(tail -n 5 "$work/debootstrap.log")"
  as_root tee "$work/root/etc/apt/sources.list" >/dev/null <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  # As in Debian's official image: no downloaded .debs or package caches in any layer built on top.
  as_root tee "$work/root/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Install-Recommends "false";
EOF
  as_root find "$work/root/var/cache/apt" "$work/root/var/lib/apt/lists" -type f -delete
  as_root tar --numeric-owner -C "$work/root" -c . | docker_ import --change "ENV PATH=$DEFAULT_PATH" \
    --change 'LABEL org.opencontainers.image.title="dais/base" org.opencontainers.image.description="Debian trixie (debootstrap minbase), built by Dais"' \
    --change 'CMD ["bash"]' - "$image" >/dev/null || die "docker import of $image failed"
  did "built $image with debootstrap in $((SECONDS - started))s"
}

# Production node_modules for the workspaces, staged once per lockfile.
stage_dependencies() {
  local deps="$CONTEXT/deps" key
  key=$( (cat "$ROOT/package-lock.json" "$ROOT/package.json"; for w in "${WORKSPACES[@]}"; do cat "$ROOT/$w/package.json"; done; echo "${MIGRATOR_PACKAGES[*]}"; cat "$ROOT/scripts/prune-production-deps.mjs"; sed -n "/^stage_dependencies/,/^}/p" "$0") | sha256sum | cut -d' ' -f1)
  if [ "${DAIS_IMAGES_RESTAGE:-0}" != 1 ] && [ -f "$deps/.key" ] && [ "$(cat "$deps/.key")" = "$key" ]; then ok "production node_modules unchanged"; return; fi
  rm -rf "$deps" && mkdir -p "$deps"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$deps/"
  for w in "${WORKSPACES[@]}" apps/manager/web; do mkdir -p "$deps/$w" && cp "$ROOT/$w/package.json" "$deps/$w/"; done
  local only=()
  for w in "${WORKSPACES[@]}"; do only+=(--workspace "$w"); done
  (cd "$deps" && npm ci --omit=dev --omit=peer --no-audit --no-fund --loglevel=error "${only[@]}") || die "npm ci --omit=dev failed"
  for package in "${MIGRATOR_PACKAGES[@]}"; do
    [ -d "$deps/node_modules/$package" ] && continue
    mkdir -p "$(dirname "$deps/node_modules/$package")" && cp -a "$ROOT/node_modules/$package" "$deps/node_modules/$package"
  done
  node "$ROOT/scripts/prune-production-deps.mjs" "$deps" "${MIGRATOR_PACKAGES[@]}" || die "pruning node_modules failed"
  # Nothing a running service reads: source maps, type declarations, and Prisma's query compilers
  # for the databases Dais does not use (the generated client loads only PostgreSQL's).
  find "$deps/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
  find "$deps/node_modules/@prisma/client/runtime" -type f \( -name '*cockroachdb*' -o -name '*mysql*' -o -name '*sqlite*' -o -name '*sqlserver*' \) -delete
  rm -rf "$deps/node_modules/.cache" "$deps/node_modules/@dais/web"
  echo "$key" >"$deps/.key"
  did "staged production node_modules ($(du -sh "$deps/node_modules" | cut -f1))"
}

# The app image's context: node_modules, each workspace's package.json + dist, and deploy/bin.
stage_app_context() {
  local app="$CONTEXT/app"
  rm -rf "$app/workspaces" "$app/bin" && mkdir -p "$app/workspaces" "$app/bin"
  # Every node_modules of the install, the root one and those npm nested in a workspace (a version
  # that differs from the hoisted one), at their paths under /app.
  if [ ! -d "$app/dependencies" ] || [ "$CONTEXT/deps/.key" -nt "$app/dependencies" ]; then
    rm -rf "$app/node_modules" "$app/dependencies" && mkdir -p "$app/dependencies"
    (cd "$CONTEXT/deps" && find . -path ./node_modules -prune -o -type d -name node_modules -prune -print) | while read -r nested; do
      mkdir -p "$app/dependencies/$(dirname "$nested")" && cp -a "$CONTEXT/deps/$nested" "$app/dependencies/$nested"
    done
    cp -a "$CONTEXT/deps/node_modules" "$app/dependencies/node_modules"
  fi
  cp "$ROOT/package.json" "$app/workspaces/"
  for w in "${WORKSPACES[@]}"; do
    mkdir -p "$app/workspaces/$w" && cp "$ROOT/$w/package.json" "$app/workspaces/$w/"
    [ -d "$ROOT/$w/dist" ] || die "$w/dist is missing: run npm run build"
    cp -a "$ROOT/$w/dist" "$app/workspaces/$w/dist"
  done
  cp -a "$ROOT/apps/manager/prisma" "$ROOT/apps/manager/scripts" "$ROOT/apps/manager/catalogue" "$app/workspaces/apps/manager/"
  mkdir -p "$app/workspaces/apps/manager/web" && cp -a "$ROOT/apps/manager/web/dist" "$app/workspaces/apps/manager/web/dist"
  cp -a "$ROOT/deploy/bin/." "$app/bin/"
  cp "$ROOT/scripts/setup-internal-ca.mjs" "$ROOT/scripts/state-keys.mjs" "$ROOT/deploy/init/init.mjs" "$ROOT/deploy/init/sites-network.mjs" "$app/bin/"
  # The balancer's supervisor with nginx/lb's renderer (TypeScript, run with tsx in the checkout) as one module.
  "$ROOT/node_modules/.bin/esbuild" "$ROOT/deploy/balancer/balancer.mjs" --bundle --platform=node --format=esm \
    --log-level=warning --outfile="$app/bin/balancer.mjs" || die "bundling the balancer failed"
  # Identical bytes and modes every time: Docker's cache then keeps the layers (it ignores mtimes).
  find "$app/workspaces" "$app/bin" -exec touch -h -d @0 {} +
}

build_image() { # build_image <name> <tag> <context> [dockerfile]
  local name=$1 tag=$2 context=$3 dockerfile=${4:-$ROOT/deploy/images/$1/Dockerfile} started=$SECONDS output
  local cache=() label=()
  [ "${DAIS_IMAGES_NO_CACHE:-0}" = 1 ] && cache=(--no-cache)
  # The commit goes only on the images compose runs: a label changes an image's id, and a parent
  # with a new id would rebuild every layer above it (node_modules included) on every commit.
  [[ " ${COMPONENTS[*]} " == *" $name "* ]] && label=(--label "org.opencontainers.image.revision=$TAG")
  output=$(docker_ build "${cache[@]}" "${label[@]}" -t "dais/$name:$tag" -t "dais/$name:$TAG" \
    -f "$dockerfile" "$context" 2>&1) || die "dais/$name: $(tail -n 20 <<<"$output")"
  if grep -q -- '---> Running in' <<<"$output"; then did "built dais/$name:$tag in $((SECONDS - started))s"; else ok "dais/$name:$tag up to date"; fi
}

# in_parallel '<commands>' ...: runs each in its own subshell at once; fails (after all ended) if any did.
in_parallel() {
  local pids=() failed=0 pid
  for commands in "$@"; do (eval "$commands") & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "see the step that failed above"
}

docker_ info >/dev/null 2>&1 || die "the Docker engine is not running (npm run setup starts it)"
echo "Building Dais images (tag $TAG)"
base_image
STATE="${DAIS_STATE_DIR:-$ROOT/.dais}" bash "$ROOT/scripts/setup-images.sh"
if [ "${DAIS_IMAGES_SKIP_BUILD:-0}" != 1 ]; then (cd "$ROOT" && npm run -s build) || die "npm run build failed"; fi
# What does not depend on each other is made side by side: on a cold machine the Debian downloads
# (dais/runtime, dais/postgres, dais/redis) overlap the production npm ci (~2 minutes saved).
in_parallel \
  "stage_dependencies && stage_app_context" \
  'build_image runtime trixie "$ROOT/deploy/images/runtime"' \
  'build_image postgres latest "$ROOT/deploy/images/postgres"' \
  'build_image redis latest "$ROOT/deploy/images/redis"'
build_image app latest "$CONTEXT/app"
for component in "${COMPONENTS[@]}"; do
  [[ $component == postgres || $component == redis ]] && continue
  build_image "$component" latest "$ROOT/deploy/images/$component"
done
# The nginx sidecars: nginx and its keeper only, so their image ids change only with those.
for sidecar in orchestrator-nginx router-nginx; do
  build_image "$sidecar" latest "$ROOT/deploy/bin" "$ROOT/deploy/images/$sidecar/Dockerfile"
done
