#!/usr/bin/env bash
# A replica that has just become ready takes a rollout's whole load: start the packaged jar with the image's heap
# flags, time start to ready, then send RATE reviews a second over HTTP/2 at once (the Go client of the heavy tests,
# client-go's transport settings) for 10 s, and print what was answered and the server's refusals.
# Usage: dev/cold-takeover.sh [RATE] [extra JVM flags...]   (default 2000; needs ./mvnw -B package -DskipTests first)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-2000}; shift || true
bin=${HOME}/.cache/rofs-guard/bin/loadclient
mkdir -p "$(dirname "$bin")"
(cd src/test/go/loadclient && GOFLAGS=-mod=mod GOPROXY=off go build -o "$bin" .)
work=$(mktemp -d)
java -XX:+UseSerialGC -Xmx128m -XX:NewRatio=1 -Xss512k -XX:MaxMetaspaceSize=96m -XX:-UsePerfData "$@" \
  -Dquarkus.http.ssl-port=18643 -Dquarkus.management.port=19643 -jar target/quarkus-app/quarkus-run.jar >"$work/server.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
start=$(date +%s.%N)
until curl -sf -o /dev/null http://127.0.0.1:19643/q/health/ready; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$work/server.log"; exit 1; }; done
echo "ready after $(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))") s; $(grep -o 'warm-up done in [0-9]* ms' "$work/server.log" || true)"
ca=$(grep -o '/tmp/rofs-guard-tls-[^ ]*/ca.crt' "$work/server.log")
"$bin" -mode paced -ca "$ca" -url https://127.0.0.1:18643/validate/audit -body src/test/resources/admission/pod-create-by-replicaset.json \
  -rate "$RATE" -warmup 0s -duration 10s -clients 4 >"$work/result.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("by second (requests/failed/slowest ms): " + " ".join("%d/%d/%.0f" % (s["n"], s["failed"], s["max_ms"]) for s in r.get("by_second") or [])); print("answered %d, failed %d (refused connections %d), statuses %s, p50 %.2f ms, p99 %.1f ms" % (r["ok"], r["failed"], r["connect_refused"], r["statuses"], r["p50_ms"], r["p99_ms"])); [print("    %d× %s" % (n, e[:150])) for e, n in sorted(r["errors"].items(), key=lambda x: -x[1])[:3]]' "$work/result.json"
curl -s http://127.0.0.1:19643/q/metrics | grep -E '^rofs_guard_refusals_total' | grep -v ' 0.0$' || true
