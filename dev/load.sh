#!/usr/bin/env bash
# Load test of the packaged webhook over HTTPS on 127.0.0.1 (loopback only; bounded in time).
# Needs wrk and hey (Debian: apt-get install wrk hey) and a built jar (./mvnw -B package -DskipTests).
# Usage: dev/load.sh [fixture] ; env JAVA_OPTS (default: -Xmx96m -XX:+UseSerialGC), DURATION (default 20s)
set -euo pipefail
cd "$(dirname "$0")/.."
FIXTURE=${1:-src/test/resources/admission/pod-create-by-replicaset.json}
JAVA_OPTS=${JAVA_OPTS:--Xmx96m -XX:+UseSerialGC}
DURATION=${DURATION:-20s}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; grep -h "warm-up" "$work/server.log"; rm -rf "$work"' EXIT

t0=$(date +%s%N)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar target/quarkus-app/quarkus-run.jar >"$work/server.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null http://127.0.0.1:9000/q/health/ready; do
  sleep 0.02
  kill -0 $pid 2>/dev/null || { cat "$work/server.log"; exit 1; }
done
t1=$(date +%s%N)
ca=$(grep -o '/tmp/rofs-guard-tls-[^ ]*/ca.crt' "$work/server.log")
echo "start-to-ready: $(( (t1 - t0) / 1000000 )) ms"
for n in first second; do
  curl -s -o /dev/null -w "$n admission after ready: TLS handshake done at %{time_appconnect} s, answer at %{time_total} s (curl, new connection)\n" \
    --cacert "$ca" -H 'Expect:' -H 'Content-Type: application/json' --data-binary @"$FIXTURE" https://localhost:8443/validate
done
echo "RSS after start: $(( $(ps -o rss= -p $pid) / 1024 )) MB"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$FIXTURE", "rb"); wrk.body = f:read("*a"); f:close()
LUA
echo "--- wrk: 10 s of load first (not reported), so the JIT reaches steady state"
wrk -t2 -c16 -d10s -s "$work/post.lua" https://127.0.0.1:8443/validate/audit >/dev/null
echo "--- wrk: 2 threads, 16 connections, $DURATION, max throughput"
wrk -t2 -c16 -d"$DURATION" --latency -s "$work/post.lua" https://127.0.0.1:8443/validate/audit | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
# hey sends "host:port" as TLS SNI, which Java's TLS rightly refuses; wrk paced by delay() gives a fixed rate:
# 16 connections, each waiting 8 ms between requests, is about 2,000 req/s.
cat "$work/post.lua" >"$work/paced.lua"
echo 'function delay() return 8 end' >>"$work/paced.lua"
echo "--- wrk: 16 connections paced at ~2,000 req/s, $DURATION"
wrk -t2 -c16 -d"$DURATION" --latency -s "$work/paced.lua" https://127.0.0.1:8443/validate/audit | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
echo "RSS after load: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
