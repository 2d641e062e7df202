#!/usr/bin/env bash
# Sets up a real container runtime for the container tests and builds their local images, once per machine.
# Called by the tests (dev.rofsguard.containers.Podman) and by .ci/run; safe to call again: each step checks first.
#
#   src/test/containers/setup.sh            install + configure + build every image
#   src/test/containers/setup.sh --conf     print the containers.conf path only (after installing/configuring)
#
# Why each piece:
# - Debian's podman 4.3 with runc: crun refuses here ("cgroups in hybrid mode not supported").
# - containers.conf with default_ulimits = []: else "setrlimit RLIMIT_NOFILE: Operation not permitted".
# - No registry is reachable: every image is a root filesystem made here and `podman import`ed.
set -euo pipefail

CACHE="${ROFS_GUARD_CACHE:-$HOME/.cache/rofs-guard}/containers"
CONF="$CACHE/containers.conf"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
mkdir -p "$CACHE"
log() { echo "setup.sh: $*" >&2; }

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

if [ ! -s "$CONF" ]; then
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
fi
export CONTAINERS_CONF="$CONF"
if [ "${1:-}" = "--conf" ]; then
  echo "$CONF"
  exit 0
fi
pm() { podman --runtime runc "$@"; }

# A root filesystem by debootstrap, imported as an image. $1 image, $2 packages (comma-separated), $3 a function
# that finishes the root (given its path) or "", then --change lines for podman import.
# Image tags carry the recipe's revision (REV): bump it when a recipe changes, so cached images are rebuilt.
REV=r2
debian_image() {
  local image="$1" include="$2" finish="$3"
  shift 3
  if pm image exists "$image"; then
    return
  fi
  local started=$SECONDS root
  root=$(mktemp -d "$CACHE/root.XXXXXX")
  log "debootstrap $SUITE minbase + $include for $image"
  debootstrap --variant=minbase --include="$include" "$SUITE" "$root" "$MIRROR" > "$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; rm -rf "$root"; exit 1; }
  # Trim what no container needs: the package cache and lists (tens of MB), docs and man pages.
  mkdir -p "$root"/data
  [ -z "$finish" ] || "$finish" "$root"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$root" -c . | pm import "${changes[@]}" - "$image" >/dev/null
  rm -rf "$root" "$root.log"
  log "built $image in $((SECONDS - started)) s"
}

# Static busybox: a few hundred kB, enough for shell-level tests.
if ! pm image exists localhost/rofs-guard-test/busybox:latest; then
  root=$(mktemp -d "$CACHE/root.XXXXXX")
  mkdir -p "$root"/bin "$root"/tmp "$root"/etc
  cp /bin/busybox "$root"/bin/busybox
  for app in sh ls cat echo mkdir touch sleep rm id wc; do ln -s busybox "$root/bin/$app"; done
  chmod 1777 "$root"/tmp
  tar -C "$root" -c . | pm import --change 'CMD ["/bin/sh"]' - localhost/rofs-guard-test/busybox:latest >/dev/null
  rm -rf "$root"
  log "built localhost/rofs-guard-test/busybox:latest"
fi

# Real software from Debian's packages, started as the Docker Official Images start it (foreground, as root).
# As the Docker Official Image does: logs to the container's stdout/stderr, not to files the package creates.
nginx_logs_to_stdio() {
  ln -sf /dev/stdout "$1"/var/log/nginx/access.log
  ln -sf /dev/stderr "$1"/var/log/nginx/error.log
}
debian_image localhost/rofs-guard-test/nginx:bookworm-$REV nginx nginx_logs_to_stdio \
  'CMD ["nginx", "-g", "daemon off;"]' 'EXPOSE 80'
# Debian's redis.conf daemonizes and logs to a file; the official image runs `redis-server` with no file, and
# keeps its data in a VOLUME, as here.
debian_image localhost/rofs-guard-test/redis:bookworm-$REV redis-server "" \
  'WORKDIR /data' 'VOLUME /data' 'CMD ["redis-server", "--protected-mode", "no"]' 'EXPOSE 6379'
# The base for the project's own image: Debian's JRE stands in for the distroless Java 17 base.
debian_image localhost/rofs-guard-test/jre17:bookworm-$REV openjdk-17-jre-headless,ca-certificates "" \
  'CMD ["java", "-version"]'
