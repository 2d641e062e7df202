#!/usr/bin/env bash
# Start-to-ready and first-admission latency of the built image, side by side with a bare Quarkus endpoint
# (dev/bare-quarkus: same Quarkus, same TLS and health set-up, parses the same review) measured in the same run,
# alternating, on the same locally made JRE base. Runs each container as the test does: read-only, tmpfs /tmp,
# UID 65532, no capabilities.
# Usage: dev/start-bench.sh [rounds]   (needs ./mvnw -B package -DskipTests first; builds the rest)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
export CONTAINERS_CONF=$(src/test/containers/setup.sh --conf)
src/test/containers/setup.sh
JRE=localhost/rofs-guard-test/jre17:bookworm-r2
pm() { podman --runtime runc "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -z "${id:-}" ] || podman --runtime runc rm -f -t 0 "$id" >/dev/null 2>&1' EXIT

[ -f target/quarkus-app/quarkus-run.jar ] || { echo "run ./mvnw -B package -DskipTests first" >&2; exit 1; }
./mvnw -B -q -o -f dev/bare-quarkus/pom.xml package -DskipTests >&2
t=$SECONDS; pm build -q --build-arg RUNTIME_IMAGE=$JRE --build-arg APP=prebuilt -t localhost/rofs-guard:bench . >/dev/null
echo "image build (app prebuilt, CDS training run included): $((SECONDS - t)) s"
pm build -q --build-arg RUNTIME_IMAGE=$JRE -t localhost/bare-quarkus:bench dev/bare-quarkus >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
chmod 755 "$work"; chmod 644 "$work"/tls.*
REVIEW=src/test/resources/admission/pod-create-by-replicaset.json

# $1 label, $2 image, then extra run flags (e.g. --entrypoint). Prints "label ready_ms first_ms second_ms".
one() {
  local label=$1 image=$2; shift 2
  local t0 t1 first second
  t0=$(date +%s%N)
  id=$(pm run -d --read-only --read-only-tmpfs=false --image-volume=ignore --tmpfs /tmp:rw,size=64m --user 65532 \
    --cap-drop ALL --security-opt no-new-privileges --passwd=false -v "$work:/certs:ro" \
    -e ROFS_GUARD_TLS_CERT_FILE=/certs/tls.crt -e ROFS_GUARD_TLS_KEY_FILE=/certs/tls.key \
    -p 127.0.0.1:18443:8443 -p 127.0.0.1:19000:9000 "$@" "$image")
  local n=0
  until curl -sf -o /dev/null http://127.0.0.1:19000/q/health/ready; do
    sleep 0.02
    # podman inspect is a process of its own (tens of ms of CPU): every second, not every poll, or it slows the start
    # it measures on 2 cores
    n=$((n + 1))
    [ $((n % 50)) -ne 0 ] || [ "$(pm inspect -f '{{.State.Running}}' "$id")" = true ] || { pm logs "$id" >&2; exit 1; }
  done
  t1=$(date +%s%N)
  first=$(curl -s -o /dev/null -w '%{time_total}' --cacert "$work/tls.crt" -H 'Content-Type: application/json' \
    --data-binary @$REVIEW https://localhost:18443/validate)
  second=$(curl -s -o /dev/null -w '%{time_total}' --cacert "$work/tls.crt" -H 'Content-Type: application/json' \
    --data-binary @$REVIEW https://localhost:18443/validate)
  pm rm -f -t 0 "$id" >/dev/null
  awk -v l="$label" -v r=$(( (t1 - t0) / 1000000 )) -v f="$first" -v s="$second" \
    'BEGIN { printf "%-28s %6d %8.1f %8.1f\n", l, r, f * 1000, s * 1000 }'
}

NOCDS=(--entrypoint '["java","-XX:+UseSerialGC","-Xmx96m","-Xss512k","-XX:MaxMetaspaceSize=96m","-XX:-UsePerfData","-Djava.io.tmpdir=/tmp","-Dvertx.cacheDirBase=/tmp/vertx-cache","-Dvertx.disableFileCPResolving=true","-jar","/app/quarkus-run.jar"]')
printf '%-28s %6s %8s %8s\n' "run (podman run to ready)" "ready" "1st ms" "2nd ms" | tee "$work/results"
for i in $(seq "$ROUNDS"); do
  one bare-quarkus localhost/bare-quarkus:bench | tee -a "$work/results"
  one rofs-guard localhost/rofs-guard:bench | tee -a "$work/results"
  one rofs-guard-without-appcds localhost/rofs-guard:bench "${NOCDS[@]}" | tee -a "$work/results"
  one rofs-guard-warmup-2000 localhost/rofs-guard:bench -e ROFS_GUARD_WARMUP_ITERATIONS=2000 \
    -e ROFS_GUARD_WARMUP_HTTPS_CONNECTIONS=4 -e ROFS_GUARD_WARMUP_HTTPS_REQUESTS_PER_CONNECTION=25 | tee -a "$work/results"
  one rofs-guard-no-warmup localhost/rofs-guard:bench -e ROFS_GUARD_WARMUP_ITERATIONS=0 \
    -e ROFS_GUARD_WARMUP_HTTPS_CONNECTIONS=0 | tee -a "$work/results"
done
echo "--- medians over $ROUNDS rounds (load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for l in bare-quarkus rofs-guard rofs-guard-without-appcds rofs-guard-warmup-2000 rofs-guard-no-warmup; do
  printf '%-28s ready %6s ms   first admission %6s ms\n' "$l" \
    "$(awk -v l="$l" '$1 == l { print $2 }' "$work/results" | median)" \
    "$(awk -v l="$l" '$1 == l { print $3 }' "$work/results" | median)"
done
