#!/usr/bin/env bash
# Paced latency over HTTP/2, as the API server calls: the Go client of the heavy tests (src/test/go/loadclient,
# client-go's transport settings) sends RATE reviews a second for DURATION after WARMUP, through CLIENTS transports,
# to each packaged jar given, one after the other in the same run (so "before" and "after" share the machine's state).
# Usage: dev/h2-paced.sh [jar ...]   (default: target/quarkus-app/quarkus-run.jar)
#   env FIXTURE (default the 3.4 KB nginx review), RATE (2000), WARMUP (10s), DURATION (20s), CLIENTS (4),
#       ENDPOINT (/validate/audit; /validate to compare with dev/bare-quarkus, which serves only that),
#       JAVA_OPTS (default: the Dockerfile's heap size and GC, not its other flags such as -XX:NewRatio=1)
# Every jar serves the same certificate (EC P-256, made here with openssl), given as rofs-guard.tls.cert-file/key-file.
set -euo pipefail
cd "$(dirname "$0")/.."
FIXTURE=${FIXTURE:-src/test/resources/admission/pod-create-by-replicaset.json}
RATE=${RATE:-2000}; WARMUP=${WARMUP:-10s}; DURATION=${DURATION:-20s}; CLIENTS=${CLIENTS:-4}; ENDPOINT=${ENDPOINT:-/validate/audit}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx96m -Xss512k -XX:MaxMetaspaceSize=96m -XX:-UsePerfData}
bin=${HOME}/.cache/rofs-guard/bin/loadclient
mkdir -p "$(dirname "$bin")"
(cd src/test/go/loadclient && GOFLAGS=-mod=mod GOPROXY=off go build -o "$bin" .)
[ $# -gt 0 ] || set -- target/quarkus-app/quarkus-run.jar
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
ca=$work/tls.crt
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; rate $RATE/s over HTTP/2, $CLIENTS transports, warm-up $WARMUP, measured $DURATION"
for jar in "$@"; do
  # shellcheck disable=SC2086
  java $JAVA_OPTS -Dquarkus.http.ssl-port=18643 -Dquarkus.management.port=19643 -Drofs-guard.tls.cert-file="$work/tls.crt" \
    -Drofs-guard.tls.key-file="$work/tls.key" -jar "$jar" >"$work/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:19643/q/health/ready; do
    sleep 0.2; kill -0 $pid 2>/dev/null || { cat "$work/server.log"; exit 1; }
  done
  cpu_before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  result=$("$bin" -mode paced -ca "$ca" -url "https://127.0.0.1:18643$ENDPOINT" -body "$FIXTURE" \
    -rate "$RATE" -warmup "$WARMUP" -duration "$DURATION" -clients "$CLIENTS")
  echo "$jar: $(echo "$result" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("sent %.0f/s ok %d failed %d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.1f ms" % (r["rate_sent"], r["ok"], r["failed"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"])); [print("    %d× %s" % (n, e[:150])) for e, n in sorted(r.get("errors", {}).items(), key=lambda x: -x[1])[:3]]; print("    statuses %s, refused connections %s" % (r.get("statuses"), r.get("connect_refused")))')"
  echo "  RSS after: $(( $(ps -o rss= -p $pid) / 1024 )) MB; server CPU over the client's run (warm-up included):" \
    "$(( ($(awk '{print $14 + $15}' /proc/$pid/stat) - cpu_before) * 1000 / $(getconf CLK_TCK) )) ms"
  kill $pid; wait $pid 2>/dev/null || true; pid=
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
