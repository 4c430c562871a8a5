#!/usr/bin/env bash
# Part of npm run setup (see scripts/setup.sh), and to run on every node of a Dais Swarm: gives the
# Docker engine the settings Dais relies on, in /etc/docker/daemon.json (other keys are kept):
#   "no-new-privileges": true          every container, Swarm tasks included, starts with
#                                      no-new-privileges (Swarm services cannot ask for it: API 1.41)
#   "labels": ["dais.no-new-privileges=true"]
#                                      says so to the Swarm: site tasks are only placed on such nodes
# dockerd reads no-new-privileges only when it starts (SIGHUP reloads the label but not the setting),
# so the file is written before setup starts the engine; an engine that was already running must be
# restarted. `check` (after the images are built) runs a container and says whether it applies.
# Safe to run again: "+" says what changed, "✓" what was already in place.
set -euo pipefail

DAEMON_JSON="${DAIS_DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}"
LABEL=dais.no-new-privileges=true

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
warn() { printf '  ! %s\n' "$*"; }
die() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

# Prints the merged configuration, or nothing when the file already has both settings.
merged_config() {
  node -e '
    const fs = require("node:fs");
    const [file, label] = process.argv.slice(1);
    let config = {};
    if (fs.existsSync(file)) {
      try { config = JSON.parse(fs.readFileSync(file, "utf8") || "{}"); }
      catch (error) { console.error(`${file} is not valid JSON (${error.message}): fix it by hand`); process.exit(2); }
    }
    const labels = Array.isArray(config.labels) ? config.labels : [];
    if (config["no-new-privileges"] === true && labels.includes(label)) process.exit(0);
    config["no-new-privileges"] = true;
    config.labels = [...labels.filter((entry) => !String(entry).startsWith(label.split("=")[0] + "=")), label];
    process.stdout.write(JSON.stringify(config, null, 2) + "\n");
  ' "$DAEMON_JSON" "$LABEL"
}

configure() {
  local merged
  merged=$(merged_config) || die "could not read $DAEMON_JSON"
  if [ -z "$merged" ]; then ok "$DAEMON_JSON gives every container no-new-privileges"; return; fi
  as_root mkdir -p "$(dirname "$DAEMON_JSON")"
  printf '%s' "$merged" | as_root tee "$DAEMON_JSON" >/dev/null
  did "$DAEMON_JSON: no-new-privileges for every container, label $LABEL"
  if as_root "$DOCKER" info >/dev/null 2>&1; then
    warn "dockerd is already running and reads this only when it starts: restart it (every container restarts with it)"
  fi
}

# Whether the running engine applies it: a throw-away container reads its own status.
check() {
  local image=${1:-dais/busybox:latest} flag
  flag=$(as_root "$DOCKER" run --rm --network none "$image" grep NoNewPrivs /proc/self/status 2>/dev/null | awk '{print $2}') || true
  case "$flag" in
    1) ok "the running Docker engine gives containers no-new-privileges" ;;
    0) warn "the running Docker engine started before $DAEMON_JSON said no-new-privileges: restart dockerd (Swarm sites need it)" ;;
    *) warn "could not check no-new-privileges with $image" ;;
  esac
}

case "${1:-configure}" in
  configure) configure ;;
  check) check "${2:-}" ;;
  *) die "usage: setup-docker.sh [configure|check [image]]" ;;
esac
