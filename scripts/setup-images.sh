#!/usr/bin/env bash
# Part of npm run setup (see scripts/setup.sh): builds the local base images that catalogue entries
# can name, without any registry (docs/images.md):
#   dais/busybox:latest    busybox from the host's busybox-static; no package manager
#   dais/debian:bookworm   a debootstrap'd Debian with apt, for sites that install packages
# Safe to run again: an image that exists is kept ("✓"); DAIS_REBUILD_IMAGES=1 rebuilds both.
set -euo pipefail

: "${STATE:?STATE must name the Dais state directory}"
BUSYBOX_IMAGE=dais/busybox:latest
DEBIAN_IMAGE=dais/debian:bookworm
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DAIS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DAIS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
die() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
# Debian's CLI (docker.io) speaks the engine's API version; another `docker` earlier in PATH may not.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker) || die "no docker CLI (setup.sh installs docker.io)"; fi
docker_() { as_root "$DOCKER" "$@"; }

image_exists() { [ "${DAIS_REBUILD_IMAGES:-0}" != 1 ] && docker_ image inspect "$1" >/dev/null 2>&1; }

WORK=""
cleanup() { if [ -n "$WORK" ]; then as_root rm -rf "$WORK"; fi; }
trap cleanup EXIT
work_dir() {
  cleanup
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dais-images.XXXXXX")
}

busybox_image() {
  if image_exists "$BUSYBOX_IMAGE"; then ok "$BUSYBOX_IMAGE exists"; return; fi
  [ -x /bin/busybox ] || die "/bin/busybox is missing (install busybox-static)"
  # A dynamically linked busybox would not run in an image FROM scratch.
  if ldd /bin/busybox >/dev/null 2>&1; then die "/bin/busybox is dynamically linked: install busybox-static"; fi
  work_dir
  cp /bin/busybox "$WORK/busybox"
  cat >"$WORK/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
ENV PATH=$DEFAULT_PATH
LABEL org.opencontainers.image.title="dais/busybox" org.opencontainers.image.description="BusyBox from the host's busybox-static, built by Dais setup"
CMD ["sh"]
EOF
  local output
  output=$(docker_ build --quiet --tag "$BUSYBOX_IMAGE" "$WORK" 2>&1) || die "building $BUSYBOX_IMAGE failed: $output"
  did "built $BUSYBOX_IMAGE from /bin/busybox"
}

ensure_debootstrap() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
  [ ${#missing[@]} -eq 0 ] && return
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  }
  did "installed ${missing[*]}"
}

# Measured on the 2-core build machine: debootstrap ~25 s, import ~2 s; `apt-get update` and
# `apt-get install` inside a build reach Debian's archive (docs/images.md).
debian_image() {
  if image_exists "$DEBIAN_IMAGE"; then ok "$DEBIAN_IMAGE exists"; return; fi
  ensure_debootstrap
  work_dir
  local root="$WORK/root" started=$SECONDS
  as_root debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$DEBIAN_SUITE" "$root" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    die "debootstrap $DEBIAN_SUITE from $DEBIAN_MIRROR failed: $(tail -n 5 "$WORK/debootstrap.log")"
  # Security and point-release updates too; package lists are fetched by each build's `apt-get update`.
  as_root tee "$root/etc/apt/sources.list" >/dev/null <<EOF
deb $DEBIAN_MIRROR $DEBIAN_SUITE main
deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main
deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main
EOF
  # Like Debian's official image: keep no downloaded .debs in any layer built on top.
  as_root tee "$root/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  as_root find "$root/var/cache/apt" "$root/var/lib/apt/lists" -type f -delete
  as_root tar --numeric-owner -C "$root" -c . | docker_ import \
    --change "ENV PATH=$DEFAULT_PATH" \
    --change 'LABEL org.opencontainers.image.title="dais/debian" org.opencontainers.image.description="Debian bookworm (debootstrap minbase), built by Dais setup"' \
    --change 'CMD ["bash"]' \
    - "$DEBIAN_IMAGE" >/dev/null || die "docker import of $DEBIAN_IMAGE failed"
  did "built $DEBIAN_IMAGE with debootstrap in $((SECONDS - started))s"
}

docker_ info >/dev/null 2>&1 || die "the Docker engine is not running (setup.sh starts it)"
busybox_image
if [ "${DAIS_SKIP_DEBIAN_IMAGE:-0}" = 1 ]; then ok "skipped $DEBIAN_IMAGE (DAIS_SKIP_DEBIAN_IMAGE=1)"; else debian_image; fi
