#!/usr/bin/env bash
# policyreport-crds.sh [DIR] -- for rofs-guard's report tests: the wgpolicyk8s.io PolicyReport and
# ClusterPolicyReport CRDs as Kyverno ships them (their openAPIV3Schema is what an API server validates and prunes
# `audit -o policyreport` output against). Taken from the kyverno Go module zip on the Go module proxy, pinned by
# version and sha256, cached under DIR (default: $HOME/.cache/rofs-guard/policyreport-crds). Prints DIR.
# Needs curl and the JDK's `jar` (to unzip). A warm rerun does nothing.
set -euo pipefail

VERSION=v1.13.4
SHA256=719b91af12b0676e6cae0c2919b0459d024050824f33894f3b06799a199a580a
PROXY=${GOPROXY_URL:-https://proxy.golang.org}
DIR=${1:-$HOME/.cache/rofs-guard/policyreport-crds/$VERSION}
INSIDE="github.com/kyverno/kyverno@$VERSION/config/crds/policyreport"

if [ -f "$DIR/wgpolicyk8s.io_policyreports.yaml" ] && [ -f "$DIR/wgpolicyk8s.io_clusterpolicyreports.yaml" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/kyverno.zip" "$PROXY/github.com/kyverno/kyverno/@v/$VERSION.zip"
echo "$SHA256  $work/kyverno.zip" | sha256sum -c --quiet -
(cd "$work" && jar xf kyverno.zip "$INSIDE/wgpolicyk8s.io_policyreports.yaml" "$INSIDE/wgpolicyk8s.io_clusterpolicyreports.yaml")
cp "$work/$INSIDE"/wgpolicyk8s.io_*.yaml "$DIR/"
echo "$DIR"
