#!/usr/bin/env bash
# kube-apiserver-build.sh [DIR]  -- for rofs-guard e2e tests (adapted from the verified kapi recipe): rebuild, from nothing, a loopback-only kube-apiserver v1.20.2 + etcd 3.4 kit under DIR
# (default: $KAPI_DIR or $HOME/.cache/rofs-guard/kapi), using only the Debian archive (bookworm):
#   * private apt config under DIR/apt (the system's apt config and dpkg database are never touched,
#     nothing is installed system-wide; host apt.conf.d files without hook commands are copied in so
#     site proxy/mirror settings still apply)
#   * golang-1.19-go/-src, etcd-server/-client 3.4, kubernetes-client 1.20.2 (kubectl) .debs -> dpkg -x DIR/opt
#   * `apt-get source --download-only kubernetes` -> orig tarball -> GOPATH layout DIR/gopath120
#   * openapi package list derived like build/root/Makefile.generated_files, vendored openapi-gen, go build
# Every step is skipped when its output (or its stamp in DIR/.stamps) exists: a warm rerun takes seconds.
# Env overrides: KAPI_MIRROR, KAPI_KEYRING, KAPI_STRICT_PINS=1 (fail instead of falling back when a pinned
# .deb version has left the archive).
set -euo pipefail

DIR=${1:-${KAPI_DIR:-$HOME/.cache/rofs-guard/kapi}}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd -P)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# ---- pinned inputs ---------------------------------------------------------------------------------
SUITE=bookworm
# The Debian archive this machine already uses (its apt sources), unless KAPI_MIRROR names another.
system_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && awk '/^URIs:/ {print $2}' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -E 's/\[[^]]*\]//' "$f" | awk '/^deb / {print $2}'
  done
  return 0
}
MIRROR=${KAPI_MIRROR:-$( (system_mirror | grep -v -- '-security' | head -n 1) || true)}
[ -n "$MIRROR" ] || { echo "no Debian archive found in the apt sources; set KAPI_MIRROR" >&2; exit 1; }
KEYRING=${KAPI_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
GO_DEB_VER=1.19.8-2
ETCD_DEB_VER=3.4.23-4+b4
K8S_SRC_PKG=kubernetes
K8S_SRC_VER=1.20.5+really1.20.2-1.1+deb12u1
K8S_ORIG=kubernetes_1.20.5+really1.20.2.orig.tar.gz
K8S_ORIG_SHA256=b83c0780efb182d928dc63d46488a847f161f04e40a94b96bf5247dd671ecdfc
K8S_TOPDIR=kubernetes-1.20.2
K8S_GIT_VERSION=v1.20.2 K8S_MAJOR=1 K8S_MINOR=20
DEBS=("golang-1.19-go=$GO_DEB_VER" "golang-1.19-src=$GO_DEB_VER"
      "etcd-server=$ETCD_DEB_VER" "etcd-client=$ETCD_DEB_VER"
      "kubernetes-client=$K8S_SRC_VER")

# ---- helpers ---------------------------------------------------------------------------------------
T0=$(date +%s)
log()  { printf '[setup %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
warn() { printf '[setup] WARNING: %s\n' "$*" >&2; }
die()  { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
STAMPS=$DIR/.stamps; mkdir -p "$STAMPS"
stamped() { [ -f "$STAMPS/$1" ]; }
stamp()   { date -u +%FT%TZ > "$STAMPS/$1"; }
# put FILE: write stdin to FILE only if the content differs (keeps mtimes stable on reruns)
put() { local q=0; [ "$1" = -q ] && { q=1; shift; }; local t; t=$(mktemp "$1.XXXX"); cat > "$t"
        if cmp -s "$t" "$1"; then rm -f "$t"; else mv -f "$t" "$1"; [ $q = 1 ] || log "wrote $1"; fi
        chmod a+r "$1"; }

for t in apt-get apt-cache dpkg dpkg-deb tar gzip xz find grep sed sort xargs sha256sum curl openssl; do
  command -v "$t" >/dev/null || die "missing host tool: $t"; done
[ -r "$KEYRING" ] || die "Debian archive keyring $KEYRING not found (set KAPI_KEYRING)"
ARCH=$(dpkg --print-architecture)
log "DIR=$DIR arch=$ARCH"

# ---- 1. private apt configuration ------------------------------------------------------------------
A=$DIR/apt
mkdir -p "$A"/etc/{sources.list.d,preferences.d,apt.conf.d} "$A"/lists/partial "$A"/cache/archives/partial "$A"/state
[ -f "$A/state/status" ] || : > "$A/state/status"          # empty private dpkg status: nothing "installed"
put "$A/apt.conf" <<EOF
// private apt configuration for $DIR (use: APT_CONFIG=$A/apt.conf apt-get ...)
Dir::State "$A/state";
Dir::State::Lists "$A/lists";
Dir::State::status "$A/state/status";
Dir::Cache "$A/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Dir::Etc::sourcelist "$A/etc/sources.list";
Dir::Etc::sourceparts "$A/etc/sources.list.d";
Dir::Etc::preferences "$A/etc/preferences";
Dir::Etc::preferencesparts "$A/etc/preferences.d";
Dir::Etc::parts "$A/etc/apt.conf.d";
APT::Architectures { "$ARCH"; };
Acquire::Languages "none";
APT::Get::AllowUnauthenticated "false";
EOF
put "$A/etc/sources.list" <<EOF
deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $SUITE main
deb-src [signed-by=$KEYRING] $MIRROR $SUITE main
EOF
# inherit host acquire settings (proxy, mirror quirks) but none of its hook commands
for f in /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] || continue
  grep -qiE 'invoke|Pre-Install-Pkgs' "$f" && continue
  put -q "$A/etc/apt.conf.d/$(basename "$f")" < "$f"
done
export APT_CONFIG=$A/apt.conf
apt_updated=0
apt_update() {
  [ $apt_updated = 1 ] && return 0
  log "apt-get update (private lists in $A/lists)"
  apt-get -q update 2>&1 | sed 's/^/    /'; [ "${PIPESTATUS[0]}" = 0 ] || die "apt-get update failed"
  apt_updated=1
}
# resolve PKG VER -> VER if the archive still has it, else the candidate (unless KAPI_STRICT_PINS=1)
resolve() {
  if apt-cache show "$1=$2" >/dev/null 2>&1; then echo "$2"; return; fi
  [ "${KAPI_STRICT_PINS:-0}" = 1 ] && die "$1=$2 is not in $SUITE any more"
  local c; c=$(apt-cache policy "$1" | awk '/Candidate:/{print $2}')
  [ -n "$c" ] && [ "$c" != "(none)" ] || die "$1 not found in $SUITE"
  warn "$1=$2 is not in the archive any more; using $1=$c"; echo "$c"
}
# resolve_src SRC VER SHA256 -> VER if listed, else any version of SRC whose files include SHA256 (same orig)
resolve_src() {
  local st; st=$(apt-cache showsrc --only-source "$1" 2>/dev/null) || die "no source package $1 in $SUITE"
  if printf '%s\n' "$st" | grep -qx "Version: $2"; then echo "$2"; return; fi
  local v; v=$(printf '%s\n' "$st" | awk -v h="$3" '/^Version:/{v=$2} $1==h{print v; exit}')
  [ -n "$v" ] || die "$1=$2 gone from $SUITE and no other version ships the pinned orig tarball"
  warn "$1=$2 gone from $SUITE; using $1=$v (same orig tarball)"; echo "$v"
}
# fetch_into DEST CMD...: run an apt download command in a scratch dir the _apt sandbox user may write to
fetch_into() {
  local dest=$1 dl=$A/dl; shift
  rm -rf "$dl"; mkdir -p "$dl"; id _apt >/dev/null 2>&1 && chown _apt "$dl"
  (cd "$dl" && "$@" 2>&1 | sed 's/^/    /'; exit "${PIPESTATUS[0]}") || return 1
  mv -f "$dl"/* "$dest"/; rmdir "$dl"
}

# ---- 2. .debs (Go 1.19, etcd 3.4, kubectl 1.20.2) -> DIR/debs -> dpkg -x DIR/opt ----------------------
mkdir -p "$DIR/debs" "$DIR/opt"
for spec in "${DEBS[@]}"; do
  p=${spec%%=*} v=${spec#*=}
  if ! compgen -G "$DIR/debs/${p}_*.deb" >/dev/null; then
    apt_update; v=$(resolve "$p" "$v")
    log "download $p=$v"
    fetch_into "$DIR/debs" apt-get -q download "$p=$v" || die "download of $p=$v failed"
  fi
  deb=$(ls "$DIR/debs/${p}"_*.deb | head -1)
  if ! stamped "dpkg-x.$(basename "$deb")"; then
    log "dpkg -x $(basename "$deb") -> $DIR/opt"
    dpkg -x "$deb" "$DIR/opt"; stamp "dpkg-x.$(basename "$deb")"
  fi
done
GOROOT=$DIR/opt/usr/lib/go-1.19
[ -x "$GOROOT/bin/go" ] || die "no go binary in $GOROOT"
[ -x "$DIR/opt/usr/bin/etcd" ] || die "no etcd binary in $DIR/opt/usr/bin"

# ---- 3. kubernetes source package -> orig tarball -> DIR/src/kubernetes-1.20.2 ------------------------
S=$DIR/src; mkdir -p "$S"
if [ ! -f "$S/$K8S_ORIG" ] || ! compgen -G "$S/${K8S_SRC_PKG}_*.dsc" >/dev/null; then
  apt_update; v=$(resolve_src "$K8S_SRC_PKG" "$K8S_SRC_VER" "$K8S_ORIG_SHA256")
  log "apt-get source --download-only $K8S_SRC_PKG=$v"
  fetch_into "$S" apt-get -q source --download-only "$K8S_SRC_PKG=$v" || die "apt-get source failed"
fi
if ! stamped orig-sha256; then
  got=$(sha256sum "$S/$K8S_ORIG" | cut -d' ' -f1)
  [ "$got" = "$K8S_ORIG_SHA256" ] || die "$K8S_ORIG sha256 $got != pinned $K8S_ORIG_SHA256"
  stamp orig-sha256
fi
K=$S/$K8S_TOPDIR
if ! stamped unpack-src; then
  log "unpack $K8S_ORIG -> $K"
  rm -rf "$K" "$S/.unpack"; mkdir -p "$S/.unpack"
  tar -xzf "$S/$K8S_ORIG" -C "$S/.unpack" --no-same-owner
  [ -d "$S/.unpack/$K8S_TOPDIR" ] || die "orig tarball has no top dir $K8S_TOPDIR"
  mv "$S/.unpack/$K8S_TOPDIR" "$K"; rmdir "$S/.unpack"
  deb_tar=$(ls "$S"/${K8S_SRC_PKG}_*.debian.tar.* 2>/dev/null | head -1 || true)
  if [ -n "$deb_tar" ]; then rm -rf "$S/deb"; mkdir -p "$S/deb"; tar -xf "$deb_tar" -C "$S/deb" --no-same-owner; fi
  stamp unpack-src
fi
# GOPATH layout (hack/lib/golang.sh style): $GOPATH/src/k8s.io/kubernetes -> source tree
GP=$DIR/gopath120
mkdir -p "$GP/src/k8s.io"
[ "$(readlink "$GP/src/k8s.io/kubernetes" 2>/dev/null)" = "$K" ] || ln -sfn "$K" "$GP/src/k8s.io/kubernetes"

# ---- 4. openapi package list, derived as in build/root/Makefile.generated_files (KUBE target) ---------
if ! stamped openapi-dirs || [ ! -s "$DIR/openapi_dirs.txt" ]; then
  log "derive openapi package list (+k8s:openapi-gen= tags)"
  ( cd "$K"; set +o pipefail
    # ALL_GO_DIRS = hack/make-rules/helpers/cache_go_dirs.sh (staging/src/* renamed to vendor/*)
    find -H . \( -not \( \( -path ./_\* -o -path ./.\* -o -path ./vendor \) -prune \) \) -type f -name \*.go \
      | sed 's|^./staging/src|vendor|' | sed 's|/[^/]*$||' | sed 's|^./||' | LC_ALL=C sort -u > "$DIR/all_go_dirs.txt"
    # ALL_K8S_TAG_FILES: *.go files (maxdepth 1 in those dirs) carrying a '// +k8s:' comment tag
    find $(cat "$DIR/all_go_dirs.txt") -maxdepth 1 -type f -name \*.go \
      | xargs grep --color=never -l '^// *+k8s:' > "$DIR/tagfiles.txt"
    # KUBE_OPENAPI_TAG_FILES = all minus code-generator / sample-apiserver; dirs with '+k8s:openapi-gen='
    grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' "$DIR/tagfiles.txt" \
      | xargs grep --color=never -l '+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u > "$DIR/openapi_dirs.txt.tmp" )
  for must in vendor/k8s.io/api/core/v1 vendor/k8s.io/apimachinery/pkg/apis/meta/v1 vendor/k8s.io/api/admission/v1; do
    grep -qx "$must" "$DIR/openapi_dirs.txt.tmp" || die "openapi list lacks $must"; done
  mv "$DIR/openapi_dirs.txt.tmp" "$DIR/openapi_dirs.txt"; stamp openapi-dirs
  log "  $(wc -l < "$DIR/all_go_dirs.txt") go dirs, $(wc -l < "$DIR/tagfiles.txt") tagged files, $(wc -l < "$DIR/openapi_dirs.txt") openapi packages"
fi

# ---- 5. Go env (GOPATH mode, vendor/, no network) ----------------------------------------------------
unset GOOS GOARCH GOBIN GOFLAGS GOEXPERIMENT GOROOT_FINAL
export GOROOT PATH=$GOROOT/bin:$PATH GOPATH=$GP GOCACHE=$DIR/gocache GO111MODULE=off GOFLAGS=
export GOPROXY=off GOSUMDB=off GONOSUMDB='*' GOENV=off GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$DIR/bin" "$GOCACHE"
cd "$GP/src/k8s.io/kubernetes"      # logical path inside GOPATH: import path k8s.io/kubernetes

# ---- 6. vendored openapi-gen + zz_generated.openapi.go -----------------------------------------------
if [ ! -x "$DIR/bin/openapi-gen" ]; then
  log "go build openapi-gen (vendor/k8s.io/kube-openapi)"
  go build -o "$DIR/bin/openapi-gen.tmp" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  mv -f "$DIR/bin/openapi-gen.tmp" "$DIR/bin/openapi-gen"
fi
OA=pkg/generated/openapi/zz_generated.openapi.go
if ! stamped openapi-gen || [ ! -s "$OA" ]; then
  log "openapi-gen -> $OA"
  rm -f "$OA"
  "$DIR/bin/openapi-gen" --logtostderr \
    -i "$(sed 's|^|k8s.io/kubernetes/|' "$DIR/openapi_dirs.txt" | paste -sd,)" \
    -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi -o "$GP/src" \
    -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$DIR/kube_violations.report"
  [ -s "$OA" ] || die "openapi-gen produced no $OA"
  if diff -q "$DIR/kube_violations.report" api/api-rules/violation_exceptions.list >/dev/null; then
    log "  API rule violations == api/api-rules/violation_exceptions.list (as make gen_openapi requires)"
  else warn "API rule violation report differs from api/api-rules/violation_exceptions.list"; fi
  stamp openapi-gen
fi

# ---- 6b. reflect2 v1.0.1 vs Go 1.18+: patch the vendored copy as reflect2 v1.0.2 does ----------------
# Go 1.18 changed reflect.mapiterinit to fill a caller-provided iterator instead of returning one. The vendored
# reflect2 v1.0.1 still links the old signature, so json-iterator's sorted-map encoding (used e.g. to annotate a
# mutating webhook's patch) crashes the API server with SIGSEGV on the first patch it receives. v1.0.2's fix:
R2=vendor/github.com/modern-go/reflect2
if ! grep -q 'checkBucket uintptr' "$R2/unsafe_link.go"; then
  log "patch $R2 for Go 1.18+ map iteration (as upstream reflect2 v1.0.2)"
  sed -i 's|^func mapiterinit(rtype unsafe.Pointer, m unsafe.Pointer) \*hiter$|func mapiterinit(rtype unsafe.Pointer, m unsafe.Pointer, it *hiter)|' "$R2/unsafe_link.go"
  perl -0pi -e 's/return &UnsafeMapIterator\{\n\t\thiter:      mapiterinit\(type2.rtype, \*\(\*unsafe.Pointer\)\(obj\)\),/var it hiter\n\tmapiterinit(type2.rtype, *(*unsafe.Pointer)(obj), &it)\n\treturn &UnsafeMapIterator{\n\t\thiter:      &it,/' "$R2/unsafe_map.go"
  # ...and the iterator must be the runtime's full hiter (12 words), not just its first two fields.
  perl -0pi -e 's/type hiter struct \{\n\tkey   unsafe.Pointer[^\n]*\n\tvalue unsafe.Pointer[^\n]*\n\t\/\/ rest fields are ignored\n\}/type hiter struct {\n\tkey         unsafe.Pointer\n\tvalue       unsafe.Pointer\n\tt           unsafe.Pointer\n\th           unsafe.Pointer\n\tbuckets     unsafe.Pointer\n\tbptr        unsafe.Pointer\n\toverflow    *[]unsafe.Pointer\n\toldoverflow *[]unsafe.Pointer\n\tstartBucket uintptr\n\toffset      uint8\n\twrapped     bool\n\tB           uint8\n\ti           uint8\n\tbucket      uintptr\n\tcheckBucket uintptr\n}/' "$R2/unsafe_link.go"
  grep -q 'm unsafe.Pointer, it \*hiter)' "$R2/unsafe_link.go" && grep -q 'hiter:      &it,' "$R2/unsafe_map.go" \
    && grep -q 'checkBucket uintptr' "$R2/unsafe_link.go" || die "could not patch $R2 (unexpected source)"
  rm -f "$DIR/bin/kube-apiserver-${K8S_GIT_VERSION#v}"   # built from the unpatched tree: rebuild
fi

# ---- 7. kube-apiserver with version ldflags ---------------------------------------------------------
APIBIN=$DIR/bin/kube-apiserver-${K8S_GIT_VERSION#v}
if [ ! -x "$APIBIN" ]; then
  BUILD_DATE=$(date -u -d "@$(stat -c %Y go.mod)" +%Y-%m-%dT%H:%M:%SZ)   # source date, not wall clock
  LD="-s -w"
  for P in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
    LD="$LD -X $P.gitVersion=$K8S_GIT_VERSION -X $P.gitMajor=$K8S_MAJOR -X $P.gitMinor=$K8S_MINOR"
    LD="$LD -X $P.gitTreeState=archive -X $P.buildDate=$BUILD_DATE"
  done
  log "go build kube-apiserver $K8S_GIT_VERSION ($(go version | cut -d' ' -f3), $(nproc) cores; cold: ~7 min on 2 cores)"
  go build -trimpath -o "$APIBIN.tmp" -ldflags "$LD" ./cmd/kube-apiserver
  mv -f "$APIBIN.tmp" "$APIBIN"
fi
[ "$(readlink "$DIR/bin/kube-apiserver" 2>/dev/null)" = "$(basename "$APIBIN")" ] || ln -sfn "$(basename "$APIBIN")" "$DIR/bin/kube-apiserver"

# ---- 8. helpers installed into DIR -----------------------------------------------------------------
put "$DIR/goenv.sh" <<EOF
# source me: Go 1.19 from $DIR/opt, offline (module mode + vendor/ by default; GO111MODULE=off GOPATH=$GP GOFLAGS= for the k8s tree)
export GOROOT=$GOROOT
export PATH=\$GOROOT/bin:\$PATH
export GOPATH=$DIR/gopath GOCACHE=$DIR/gocache GOMODCACHE=$DIR/gopath/pkg/mod
export GOPROXY=off GOFLAGS=-mod=vendor GOTOOLCHAIN=local CGO_ENABLED=0 GONOSUMDB=* GOSUMDB=off
EOF
[ -f "$HERE/kube-apiserver.sh" ] && put "$DIR/kube-apiserver.sh" < "$HERE/kube-apiserver.sh" && chmod +x "$DIR/kube-apiserver.sh"

log "kube-apiserver: $("$DIR/bin/kube-apiserver" --version)  ($DIR/bin/kube-apiserver)"
log "etcd:           $("$DIR/opt/usr/bin/etcd" --version | head -1)  ($DIR/opt/usr/bin/etcd)"
[ -x "$DIR/opt/usr/bin/kubectl" ] && log "kubectl:        $DIR/opt/usr/bin/kubectl ($("$DIR/opt/usr/bin/kubectl" version --client --short 2>/dev/null || true))"
log "done. start with: KAPI_DIR=$DIR $HERE/kube-apiserver.sh start"
