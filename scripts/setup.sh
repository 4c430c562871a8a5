#!/usr/bin/env bash
# npm run setup: installs and starts everything Dais needs on a Debian/Ubuntu host, then builds
# Dais and prepares its local state in .dais/. Safe to run again: each step checks first and
# says whether it changed something ("+") or found it already done ("✓").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="${DAIS_STATE_DIR:-$ROOT/.dais}"
# chromium: the browser tests (API docs, later the dashboard) drive it with playwright-core.
# bind9, bind9-dnsutils: tests start a private nameserver (named, nsupdate) for custom domains' proofs.
# iptables: the orchestrator fences image builds and Swarm tasks with chains of its own.
# e2fsprogs, mount, util-linux: the `loop` disk driver (mkfs.ext4, e2fsck, resize2fs, mount, losetup).
# docker-registry: the local image registry of a multi-node Swarm (scripts/setup-registry.sh, docs/swarm.md).
# docker-compose (Compose 1.29), debootstrap: `npm run images` and the compose deployment (docs/deployment.md).
APT_PACKAGES=(postgresql redis-server nginx docker.io iptables busybox-static mariadb-server openssh-client chromium pebble bind9 bind9-dnsutils e2fsprogs mount util-linux docker-compose debootstrap debian-archive-keyring docker-registry)

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
step() { printf '\n%s\n' "$*"; }
die() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
# shellcheck source=scripts/machine-secret.sh
source "$ROOT/scripts/machine-secret.sh"
# postgres cannot enter every working directory (e.g. a private checkout), so start from /.
as_postgres() { (cd / && as_root su postgres -c "$1"); }

wait_for() { # wait_for <seconds> <description> <command...>
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${seconds}s"
}

install_packages() {
  step "System packages"
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then ok "$package installed"; else missing+=("$package"); fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    did "installed ${missing[*]}"
    if [[ " ${missing[*]} " == *" bind9 "* ]]; then quiet_system_named; fi
  fi
}

# Tests run their own named on a free port (test/support/bind-dns.ts); where systemd runs, Debian's
# package also starts a system-wide one that nothing here needs. Stopped only when this run installed it.
quiet_system_named() {
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now named >/dev/null 2>&1 || true
  else
    as_root service named stop >/dev/null 2>&1 || true
  fi
  did "left the system named stopped (tests start their own)"
}

start_services() {
  step "Services"
  local cluster
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2" "$4}')
  [ -n "$cluster" ] || die "no PostgreSQL cluster found (pg_lsclusters is empty)"
  set -- $cluster
  if [ "$3" = online ]; then ok "PostgreSQL $1/$2 running"; else as_root pg_ctlcluster "$1" "$2" start; did "started PostgreSQL $1/$2"; fi

  if redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then ok "Redis running"; else
    as_root service redis-server start >/dev/null 2>&1 || true
    wait_for 10 "Redis" redis-cli -h 127.0.0.1 ping
    did "started Redis"
  fi

  if as_root docker info >/dev/null 2>&1; then ok "Docker engine running"; else
    as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
    wait_for 60 "dockerd" as_root docker info
    did "started dockerd (log: /var/log/dockerd.log)"
  fi
}

install_node_modules() {
  step "Node packages"
  if [ -f "$ROOT/node_modules/.package-lock.json" ] && [ "$ROOT/node_modules/.package-lock.json" -nt "$ROOT/package-lock.json" ]; then
    ok "node_modules up to date"
  else
    # npm install, not npm ci: this registry has no darwin/win32 builds of optional platform packages
    # (@swc/core-*), so the lockfile npm writes lacks them and `npm ci` refuses it as out of sync.
    # With an unchanged lockfile, npm install installs exactly what it pins.
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
    did "installed node_modules (npm install from package-lock.json)"
  fi
}

prepare_database() {
  step "Database"
  local password_file="$STATE/secrets/postgres-password" password
  machine_secret "$password_file" "database (role dais)"
  password=$(cat "$password_file")
  if PGPASSWORD="$password" psql -h 127.0.0.1 -U dais -d postgres -Atc 'select 1' >/dev/null 2>&1; then ok "role dais can log in"; else
    if as_postgres "psql -Atc \"select 1 from pg_roles where rolname = 'dais'\"" | grep -q 1; then
      as_postgres "psql -qc \"alter role dais with login createdb password '$password'\""
      did "reset the password of role dais"
    else
      as_postgres "psql -qc \"create role dais with login createdb password '$password'\""
      did "created role dais (may create databases: tests make their own)"
    fi
  fi
  if as_postgres "psql -Atc \"select 1 from pg_database where datname = 'dais'\"" | grep -q 1; then ok "database dais exists"; else
    as_postgres "createdb -O dais dais"
    did "created database dais"
  fi
}

build() {
  step "Build"
  (cd "$ROOT" && npm run -s build)
  ok "built all packages (incremental)"
}

prepare_state() {
  step "Local state in $STATE"
  (cd "$ROOT" && DAIS_STATE_DIR="$STATE" node scripts/setup-state.mjs)
  (cd "$ROOT" && node scripts/setup-internal-ca.mjs --state "$STATE") # TLS for the load balancers: docs/load-balancers.md
  (cd "$ROOT" && DAIS_STATE_DIR="$STATE" node scripts/setup-shell.mjs)
}

migrate() {
  step "Migrations"
  local output
  output=$(cd "$ROOT" && DAIS_ENV_FILE="$STATE/dais.env" node apps/manager/scripts/migrate.mjs deploy 2>&1) || die "migrations failed: $output"
  case "$output" in Applied*) did "$output" ;; *) ok "$output" ;; esac
}

site_databases() {
  step "Database servers for sites"
  STATE="$STATE" bash "$ROOT/scripts/setup-databases.sh"
}

# Before the engine is installed or started: dockerd reads no-new-privileges only when it starts.
docker_config() {
  step "Docker engine settings"
  bash "$ROOT/scripts/setup-docker.sh" configure
}

site_images() {
  step "Site images"
  STATE="$STATE" bash "$ROOT/scripts/setup-images.sh"
  bash "$ROOT/scripts/setup-docker.sh" check
}

# The registry every node of a multi-node Swarm pulls site images from (docs/swarm.md).
image_registry() {
  step "Image registry"
  STATE="$STATE" bash "$ROOT/scripts/setup-registry.sh"
}

# The manager's image catalogue and the local database servers, as sites will use them.
register_for_sites() {
  step "Image catalogue and database hosts"
  local admin=(env DAIS_ENV_FILE="$STATE/dais.env" node "$ROOT/apps/manager/dist/cli/admin.js")
  "${admin[@]}" ensure-catalogue --file "$ROOT/apps/manager/catalogue/default-images.json" | sed 's/^/  ✓ /'
  "${admin[@]}" ensure-database-host --name local-postgresql --engine postgresql --admin-host 127.0.0.1 --admin-port 5432 \
    --admin-user dais_dbadmin --admin-password-file "$STATE/secrets/postgres-dbadmin-password" --site-host "${DAIS_SITES_GATEWAY:-172.30.0.1}" --site-port 5432 | sed 's/^/  ✓ /'
  "${admin[@]}" ensure-database-host --name local-mariadb --engine mysql --admin-host 127.0.0.1 --admin-port 3306 \
    --admin-user dais_dbadmin --admin-password-file "$STATE/secrets/mariadb-dbadmin-password" --site-host "${DAIS_SITES_GATEWAY:-172.30.0.1}" --site-port 3306 | sed 's/^/  ✓ /'
}

ensure_admin() {
  step "Admin account"
  (cd "$ROOT" && DAIS_ENV_FILE="$STATE/dais.env" node apps/manager/dist/cli/admin.js ensure-admin --token-file "$STATE/admin-token" | sed 's/^/  /')
}

echo "Setting up Dais in $ROOT"
docker_config
install_packages
start_services
install_node_modules
build
prepare_database
prepare_state
migrate
site_databases
site_images
image_registry
register_for_sites
ensure_admin
printf '\nDone. Start everything with: npm start\n'
