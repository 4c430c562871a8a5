#!/usr/bin/env bash
# Part of npm run setup (see scripts/setup.sh): runs a local image registry (Debian's
# docker-registry 2.8) that the nodes of a multi-node Swarm pull per-site images from
# (DAIS_SWARM_REGISTRY, docs/swarm.md):
#   - listens on this host's docker0 address (172.17.0.1:5000 on a default engine): this host and the
#     containers on it (a Docker-in-Docker test node) reach it, the network outside does not;
#     DAIS_REGISTRY_ADDRESS=host:port listens elsewhere (an address your other nodes reach).
#   - keeps its images in $STATE/registry/data; its config and log are in $STATE/registry.
#   - speaks plain HTTP, so the engine is told it is an insecure registry ("insecure-registries" in
#     /etc/docker/daemon.json, other keys kept) and reloads that setting with SIGHUP: a reload, not a
#     restart, containers keep running. Every other node's engine needs the same entry (docs/swarm.md).
# Safe to run again: "+" says what changed, "✓" what was already in place.
set -euo pipefail

: "${STATE:?STATE must name the Dais state directory}"
DAEMON_JSON="${DAIS_DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}"
HOME_DIR="$STATE/registry"
CONFIG="$HOME_DIR/config.yml"
PID_FILE="$HOME_DIR/registry.pid"
LOG="$HOME_DIR/registry.log"

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
die() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

registry_address() {
  if [ -n "${DAIS_REGISTRY_ADDRESS:-}" ]; then printf '%s' "$DAIS_REGISTRY_ADDRESS"; return; fi
  local bridge
  bridge=$(ip -4 -o addr show docker0 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')
  [ -n "$bridge" ] || die "no docker0 address to run the registry on (is dockerd running?); set DAIS_REGISTRY_ADDRESS=host:port"
  printf '%s:5000' "$bridge"
}

answers() { curl -fsS --max-time 2 "http://$1/v2/" >/dev/null 2>&1; }

write_config() {
  local address=$1 wanted
  wanted=$(
    cat <<EOF
# Written by scripts/setup-registry.sh (npm run setup); changes here are overwritten.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $HOME_DIR/data
  delete:
    enabled: true
http:
  addr: $address
EOF
  )
  mkdir -p "$HOME_DIR/data"
  if [ -f "$CONFIG" ] && [ "$(cat "$CONFIG")" = "$wanted" ]; then return 1; fi
  printf '%s\n' "$wanted" >"$CONFIG"
}

stop_ours() {
  [ -f "$PID_FILE" ] || return 0
  local pid
  pid=$(cat "$PID_FILE")
  if [ -n "$pid" ] && grep -qa docker-registry "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE"
}

start_registry() {
  local address=$1
  # One registry per machine: a running one is kept, whichever checkout's setup started it.
  if answers "$address"; then ok "image registry answers at http://$address"; return; fi
  write_config "$address" || true
  stop_ours
  # setsid: the registry outlives this script's session, like the other services setup starts.
  setsid docker-registry serve "$CONFIG" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 50); do answers "$address" && break; sleep 0.2; done
  answers "$address" || die "the image registry did not answer at http://$address within 10 s: $(tail -n 5 "$LOG")"
  did "started the image registry at http://$address (data: $HOME_DIR/data, log: $LOG)"
}

# Prints daemon.json with the registry among "insecure-registries", or nothing when it already is.
merged_daemon_json() {
  node -e '
    const fs = require("node:fs");
    const [file, address] = process.argv.slice(1);
    let config = {};
    if (fs.existsSync(file)) {
      try { config = JSON.parse(fs.readFileSync(file, "utf8") || "{}"); }
      catch (error) { console.error(`${file} is not valid JSON (${error.message}): fix it by hand`); process.exit(2); }
    }
    const list = Array.isArray(config["insecure-registries"]) ? config["insecure-registries"] : [];
    if (list.includes(address)) process.exit(0);
    config["insecure-registries"] = [...list, address];
    process.stdout.write(JSON.stringify(config, null, 2) + "\n");
  ' "$DAEMON_JSON" "$1"
}

trust_registry() {
  local address=$1 merged
  merged=$(merged_daemon_json "$address") || die "could not read $DAEMON_JSON"
  if [ -n "$merged" ]; then
    printf '%s' "$merged" | as_root tee "$DAEMON_JSON" >/dev/null
    did "$DAEMON_JSON: $address is an insecure (plain HTTP) registry"
  fi
  if as_root "$DOCKER" info --format '{{json .RegistryConfig.IndexConfigs}}' 2>/dev/null | grep -q "\"$address\""; then
    ok "the Docker engine pushes to $address over plain HTTP"
    return
  fi
  # dockerd's own pid file: `pidof` would also list the engines of Docker-in-Docker containers.
  local pid
  pid=$(as_root cat /var/run/docker.pid 2>/dev/null) || true
  [ -n "$pid" ] || die "no /var/run/docker.pid: cannot reload dockerd's settings; restart it once with $DAEMON_JSON"
  as_root kill -HUP "$pid"
  for _ in $(seq 1 25); do
    as_root "$DOCKER" info --format '{{json .RegistryConfig.IndexConfigs}}' 2>/dev/null | grep -q "\"$address\"" && break
    sleep 0.2
  done
  as_root "$DOCKER" info --format '{{json .RegistryConfig.IndexConfigs}}' | grep -q "\"$address\"" ||
    die "dockerd did not take $address as an insecure registry after a reload (SIGHUP): see its log"
  did "reloaded dockerd's registry settings (SIGHUP: containers keep running)"
}

command -v docker-registry >/dev/null || die "docker-registry is not installed (setup.sh installs it)"
ADDRESS=$(registry_address)
start_registry "$ADDRESS"
trust_registry "$ADDRESS"
printf '  (multi-node Swarm: DAIS_RUNTIME=swarm DAIS_SWARM_REGISTRY=%s, docs/swarm.md)\n' "$ADDRESS"
