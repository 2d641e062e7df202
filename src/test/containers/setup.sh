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
# podman pod's infra container is a pause image podman builds from catatonit (a Recommends, not a Depends).
command -v catatonit >/dev/null 2>&1 || need+=(catatonit)
# Debian's docker-compose (1.29, Python) validates Compose files offline: `docker-compose config` needs no engine.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
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
# The Docker Official nginx image's layout on Debian's nginx, for the seeded-path test: conf.d ships default.conf,
# nginx.conf includes conf.d, the pid is /var/run/nginx.pid and the temp paths are under /var/cache/nginx (compiled
# in there, set in nginx.conf here), and an entrypoint written for these tests that does what the official one's
# 20-envsubst-on-templates.sh does: render /etc/nginx/templates/*.template into NGINX_ENVSUBST_OUTPUT_DIR (default
# conf.d), or log an ERROR and start anyway when that is not writable. Named localhost/library/nginx so that the
# catalog's nginx entry (*/library/nginx: any registry) applies: localhost stands in for a mirror.
nginx_official_layout() {
  local root="$1"
  rm -f "$root"/etc/nginx/sites-enabled/*
  mkdir -p "$root"/etc/nginx/conf.d "$root"/var/cache/nginx
  cat > "$root"/etc/nginx/nginx.conf <<'CONF'
user www-data;
worker_processes 1;
error_log /var/log/nginx/error.log notice;
pid /var/run/nginx.pid;
include /etc/nginx/modules-enabled/*.conf;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;
    client_body_temp_path /var/cache/nginx/client_temp;
    proxy_temp_path /var/cache/nginx/proxy_temp;
    fastcgi_temp_path /var/cache/nginx/fastcgi_temp;
    uwsgi_temp_path /var/cache/nginx/uwsgi_temp;
    scgi_temp_path /var/cache/nginx/scgi_temp;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
CONF
  cat > "$root"/etc/nginx/conf.d/default.conf <<'CONF'
server {
    listen 80;
    server_name localhost;
    location / {
        root /usr/share/nginx/html;
        index index.html;
    }
}
CONF
  cat > "$root"/docker-entrypoint.sh <<'SH'
#!/bin/sh
# Written for rofs-guard's tests: what the official image's entrypoint does with templates, nothing more.
set -e
if [ "$1" = nginx ]; then
  template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  if [ -d "$template_dir" ]; then
    if [ ! -w "$output_dir" ]; then
      echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
    else
      # Only variables that are set are substituted, so nginx's own $host, $uri... stay.
      defined="$(printf '${%s} ' $(env | cut -d= -f1))"
      for template in "$template_dir"/*"$suffix"; do
        [ -f "$template" ] || continue
        output="$output_dir/$(basename "$template" "$suffix")"
        echo "$0: Running envsubst on $template to $output" >&2
        envsubst "$defined" < "$template" > "$output"
      done
    fi
  fi
fi
exec "$@"
SH
  chmod 755 "$root"/docker-entrypoint.sh
  nginx_logs_to_stdio "$root"
}
debian_image localhost/library/nginx:bookworm-$REV nginx,gettext-base nginx_official_layout \
  'ENTRYPOINT ["/docker-entrypoint.sh"]' 'CMD ["nginx", "-g", "daemon off;"]' 'EXPOSE 80' 'STOPSIGNAL SIGQUIT'
# Debian's redis.conf daemonizes and logs to a file; the official image runs `redis-server` with no file, and
# keeps its data in a VOLUME, as here.
debian_image localhost/rofs-guard-test/redis:bookworm-$REV redis-server "" \
  'WORKDIR /data' 'VOLUME /data' 'CMD ["redis-server", "--protected-mode", "no"]' 'EXPOSE 6379'
# The same image under the name the catalog's redis entry (*/library/redis) matches, for flags and Compose runs.
pm image exists localhost/library/redis:bookworm-$REV \
  || pm tag localhost/rofs-guard-test/redis:bookworm-$REV localhost/library/redis:bookworm-$REV
# The base for the project's own image: Debian's JRE stands in for the distroless Java 17 base.
debian_image localhost/rofs-guard-test/jre17:bookworm-$REV openjdk-17-jre-headless,ca-certificates "" \
  'CMD ["java", "-version"]'
