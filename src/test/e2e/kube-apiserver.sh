#!/usr/bin/env bash
# Local kube-apiserver + etcd on loopback only (127.0.0.1), for webhook E2E tests. Built by kube-apiserver-build.sh.
#   kube-apiserver.sh start     -> etcd (127.0.0.1:12379, peer :12380) + kube-apiserver (https://127.0.0.1:16443)
#   kube-apiserver.sh stop | status | reset   (stop by saved PID; reset = stop + wipe etcd data, certs kept)
#   kube-apiserver.sh env       -> prints "export KUBECONFIG=..."
#   export KUBECONFIG=$KAPI_DIR/run/kubeconfig   (admin = bearer token in group system:masters)
#   Also in the token file: a kubelet identity (system:node:e2e-node, group system:nodes; token $KAPI_NODE_TOKEN), so
#   tests can create a mirror pod the way a kubelet does, under the Node authorizer and NodeRestriction.
# Which build: K8S_VERSION / ETCD_VERSION / KAPI_DIR, defaults in kapi-versions.sh (as for the build script).
# Overrides: KAPI_RUN ETCD_PORT ETCD_PEER_PORT API_PORT APISERVER_BIN ETCD_BIN KAPI_TOKEN KAPI_EXTRA_FLAGS
set -euo pipefail
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
. "$SELF/kapi-versions.sh"
K=$KAPI_DIR
RUN=${KAPI_RUN:-$K/run}
ETCD_PORT=${ETCD_PORT:-12379}; ETCD_PEER_PORT=${ETCD_PEER_PORT:-12380}
API_PORT=${API_PORT:-16443}
APISERVER_BIN=${APISERVER_BIN:-$K/bin/kube-apiserver}
ETCD_BIN=${ETCD_BIN:-$K/bin/etcd}
TOKEN=${KAPI_TOKEN:-kapi-admin-token-0123456789}
NODE_TOKEN=${KAPI_NODE_TOKEN:-kapi-node-token-0123456789}

certs() {
  local C=$RUN/certs; [ -f "$C/apiserver.crt" ] && return 0
  mkdir -p "$C"
  ( cd "$C"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout ca.key -out ca.crt -subj "/CN=kapi-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n" > ext.cnf
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile ext.cnf -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    { echo "$TOKEN,admin,admin-uid,system:masters"
      echo "$NODE_TOKEN,system:node:e2e-node,e2e-node-uid,system:nodes"; } > tokens.csv )
}

kubeconfig() {
  cat > "$RUN/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kapi
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $RUN/certs/ca.crt
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: kapi
  context: {cluster: kapi, user: admin, namespace: default}
current-context: kapi
KC
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  for b in "$APISERVER_BIN" "$ETCD_BIN"; do
    [ -x "$b" ] || { echo "missing $b; build it with: kube-apiserver-build.sh $K"; return 1; }; done
  mkdir -p "$RUN"; certs; kubeconfig
  if ! alive "$RUN/etcd.pid"; then
    "$ETCD_BIN" --name kapi --data-dir "$RUN/etcd-data" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "kapi=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
      > "$RUN/etcd.log" 2>&1 &
    echo $! > "$RUN/etcd.pid"
  fi
  if ! alive "$RUN/apiserver.pid"; then
    # Admission: the server's default plugins (1.37: MutatingAdmissionPolicy and ValidatingAdmissionPolicy included),
    # plus NodeRestriction (as clusters run it, for the mirror-pod tests), minus ServiceAccount: no
    # kube-controller-manager runs here, so no namespace ever gets its "default" ServiceAccount and that plugin would
    # refuse every pod. Node,RBAC authorization as clusters run it.
    # shellcheck disable=SC2086  # KAPI_EXTRA_FLAGS is a word list on purpose
    "$APISERVER_BIN" \
      --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
      --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
      --tls-cert-file="$RUN/certs/apiserver.crt" --tls-private-key-file="$RUN/certs/apiserver.key" \
      --client-ca-file="$RUN/certs/ca.crt" --token-auth-file="$RUN/certs/tokens.csv" \
      --service-account-key-file="$RUN/certs/sa.pub" --service-account-signing-key-file="$RUN/certs/sa.key" \
      --service-account-issuer=https://kubernetes.default.svc --api-audiences=https://kubernetes.default.svc \
      --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
      --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
      --disable-admission-plugins=ServiceAccount \
      ${KAPI_EXTRA_FLAGS:-} \
      > "$RUN/apiserver.log" 2>&1 &
    echo $! > "$RUN/apiserver.pid"
  fi
  for i in $(seq 1 120); do
    if curl -fsS --cacert "$RUN/certs/ca.crt" -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1; then
      echo "kube-apiserver ready on https://127.0.0.1:$API_PORT (export KUBECONFIG=$RUN/kubeconfig)"; return 0; fi
    alive "$RUN/etcd.pid" || { echo "etcd died; see $RUN/etcd.log"; tail -20 "$RUN/etcd.log"; return 1; }
    alive "$RUN/apiserver.pid" || { echo "apiserver died; see $RUN/apiserver.log"; tail -20 "$RUN/apiserver.log"; return 1; }
    sleep 1
  done
  echo "apiserver not ready after 120s; see $RUN/apiserver.log"; return 1
}

stop() {
  for p in apiserver etcd; do
    if alive "$RUN/$p.pid"; then pid=$(cat "$RUN/$p.pid"); kill "$pid"
      for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi; echo "stopped $p ($pid)"; fi
    rm -f "$RUN/$p.pid"
  done
}

status() { for p in etcd apiserver; do if alive "$RUN/$p.pid"; then echo "$p running pid $(cat "$RUN/$p.pid")"; else echo "$p stopped"; fi; done; }

case "${1:-}" in
  start) start;; stop) stop;; status) status;;
  reset) stop; rm -rf "$RUN/etcd-data";;
  env) echo "export KUBECONFIG=$RUN/kubeconfig";;
  *) echo "usage: [KAPI_DIR=dir] $0 start|stop|status|reset|env"; exit 2;;
esac
