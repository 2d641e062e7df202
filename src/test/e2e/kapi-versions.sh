# Sourced by kube-apiserver-build.sh and kube-apiserver.sh: the versions the e2e tests build and run unless
# K8S_VERSION / ETCD_VERSION say otherwise (.ci/run sets K8S_VERSION per lane), and where each pair is cached.
K8S_VERSION=${K8S_VERSION:-1.37.2}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
KAPI_DIR=${KAPI_DIR:-$HOME/.cache/rofs-guard/kapi-v$K8S_VERSION-etcd-v$ETCD_VERSION}
