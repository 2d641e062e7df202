#!/usr/bin/env python3
"""Writes src/test/resources/admission/pod-catalog-*.json: one AdmissionReview per shipped catalog entry, the pod run
the way the image is usually run (its usual args and env; a PersistentVolumeClaim at the entry's data paths), plus
the reference shapes (mirror, pull-through cache, republished image, digest, bad reference) and the data, seeded and
obsolete cases. CatalogGoldenTest fails when a shipped entry has no fixture here. Run from the repository root, then
`./mvnw -o test -Dtest=CatalogGoldenTest -Dgolden.update=true` and review the diff of src/test/resources/mutation."""
import json, os, uuid

OUT = "src/test/resources/admission"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def review(name, pod):
    req = {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, "rofs-guard/catalog/" + name)),
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
        "requestResource": {"group": "", "version": "v1", "resource": "pods"},
        "name": pod["metadata"]["name"], "namespace": "shop", "operation": "CREATE",
        "userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "object": pod, "oldObject": None, "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def pod(name, image, args=None, command=None, env=None, pvc=(), config=(), empty=(), host=(), sc=None, pod_sc=None):
    """pvc/config/empty/host: mount paths backed by a claim, a ConfigMap (read-only), an emptyDir, a hostPath."""
    c = {"name": name.split("-")[0] if name[0].isalpha() else "app", "image": image}
    c["name"] = "app"
    if command:
        c["command"] = command
    if args:
        c["args"] = args
    if env:
        c["env"] = [{"name": k, "value": v} if isinstance(v, str) else dict(name=k, **v) for k, v in env.items()]
    mounts, volumes = [], []
    for i, p in enumerate(pvc):
        volumes.append({"name": f"data-{i}", "persistentVolumeClaim": {"claimName": f"{name}-data-{i}"}})
        mounts.append({"name": f"data-{i}", "mountPath": p})
    for i, p in enumerate(config):
        volumes.append({"name": f"config-{i}", "configMap": {"name": f"{name}-config-{i}"}})
        mounts.append({"name": f"config-{i}", "mountPath": p, "readOnly": True})
    for i, p in enumerate(empty):
        volumes.append({"name": f"scratch-{i}", "emptyDir": {}})
        mounts.append({"name": f"scratch-{i}", "mountPath": p})
    for i, p in enumerate(host):
        volumes.append({"name": f"host-{i}", "hostPath": {"path": p}})
        mounts.append({"name": f"host-{i}", "mountPath": p, "readOnly": True})
    if mounts:
        c["volumeMounts"] = mounts
    if sc:
        c["securityContext"] = sc
    spec = {"containers": [c]}
    if volumes:
        spec["volumes"] = volumes
    if pod_sc:
        spec["securityContext"] = pod_sc
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", "labels": {"app": name}}, "spec": spec}


SECRET = {"valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}
NONROOT = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}

# One per shipped entry: pod-catalog-<entry>.json (the entry's name).
ENTRIES = {
    "nginx": pod("nginx", "nginx:1.27"),
    "nginx-unprivileged": pod("nginx-unprivileged", "nginxinc/nginx-unprivileged:1.27-alpine", sc=dict(NONROOT, runAsUser=101)),
    "httpd": pod("httpd", "httpd:2.4", config=["/usr/local/apache2/htdocs"]),
    "php-apache": pod("php-apache", "php:8.3-apache"),
    "wordpress": pod("wordpress", "wordpress:6.8-php8.3-apache", env={"WORDPRESS_DB_HOST": "mysql", "WORDPRESS_DB_PASSWORD": SECRET}, pvc=["/var/www/html"]),
    "nextcloud": pod("nextcloud", "nextcloud:31-apache", pvc=["/var/www/html"]),
    "tomcat": pod("tomcat", "tomcat:11.0-jdk21"),
    "caddy": pod("caddy", "caddy:2.10", pvc=["/data"], config=["/etc/caddy"]),
    "haproxy": pod("haproxy", "haproxy:3.2", config=["/usr/local/etc/haproxy"]),
    "traefik": pod("traefik", "traefik:v3.4", args=["--providers.kubernetescrd", "--experimental.plugins.demo.modulename=github.com/traefik/plugindemo",
                                                    "--experimental.plugins.demo.version=v0.2.1"]),
    "ingress-nginx-controller": pod("ingress-nginx-controller", f"registry.k8s.io/ingress-nginx/controller:v1.12.1@{DIGEST}",
                                    args=["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                                          "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx"],
                                    sc={"runAsNonRoot": True, "runAsUser": 101, "allowPrivilegeEscalation": False,
                                        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}),
    "postgres": pod("postgres", "postgres:17", env={"POSTGRES_PASSWORD": SECRET}, pvc=["/var/lib/postgresql/data"]),
    "mysql": pod("mysql", "mysql:8.4", env={"MYSQL_ROOT_PASSWORD": SECRET}, pvc=["/var/lib/mysql"]),
    "mariadb": pod("mariadb", "mariadb:11.8-ubi", env={"MARIADB_ROOT_PASSWORD": SECRET}, pvc=["/var/lib/mysql"]),
    "redis": pod("redis", "redis:7.4", args=["--appendonly", "yes"], pvc=["/data"]),
    "valkey": pod("valkey", "valkey/valkey:8.1", pvc=["/data"]),
    "mongo": pod("mongo", "mongo:8.0", args=["--replSet", "rs0", "--bind_ip_all"], pvc=["/data/db"]),
    "rabbitmq": pod("rabbitmq", "rabbitmq:4-management", pvc=["/var/lib/rabbitmq"]),
    "memcached": pod("memcached", "memcached:1.6", args=["-m", "64"]),
    "cassandra": pod("cassandra", "cassandra:5.0", env={"CASSANDRA_SEEDS": "cassandra-0.cassandra"}, pvc=["/var/lib/cassandra"]),
    "zookeeper": pod("zookeeper", "zookeeper:3.9", pvc=["/data", "/datalog"]),
    "kafka": pod("kafka", "apache/kafka:3.9.0", env={"KAFKA_NODE_ID": "1", "KAFKA_PROCESS_ROLES": "broker,controller",
                                                    "KAFKA_LOG_DIRS": "/var/lib/kafka/data"}, pvc=["/var/lib/kafka/data"]),
    "minio": pod("minio", "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", args=["server", "/data", "--console-address", ":9001"], pvc=["/data"]),
    "influxdb": pod("influxdb", "influxdb:2.7", pvc=["/var/lib/influxdb2", "/etc/influxdb2"]),
    "neo4j": pod("neo4j", "neo4j:5.26-community", env={"NEO4J_AUTH": SECRET}, pvc=["/data"]),
    "sonarqube": pod("sonarqube", "sonarqube:25.5.0.107428-community", pvc=["/opt/sonarqube/data", "/opt/sonarqube/extensions"]),
    "ghost": pod("ghost", "ghost:5-alpine", pvc=["/var/lib/ghost/content"]),
    "mosquitto": pod("mosquitto", "eclipse-mosquitto:2.0", config=["/mosquitto/config"]),
    "nats": pod("nats", "nats:2.11", args=["--config", "/etc/nats-config/nats.conf"], config=["/etc/nats-config"]),
    "prometheus": pod("prometheus", "quay.io/prometheus/prometheus:v3.4.0",
                      args=["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
                      pvc=["/prometheus"], config=["/etc/prometheus"], sc=dict(NONROOT, runAsUser=65534)),
    "alertmanager": pod("alertmanager", "quay.io/prometheus/alertmanager:v0.28.1",
                        args=["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
                        pvc=["/alertmanager"], config=["/etc/alertmanager"]),
    "grafana": pod("grafana", "grafana/grafana:12.0.0", pvc=["/var/lib/grafana"], sc=dict(NONROOT, runAsUser=472)),
    "loki": pod("loki", "grafana/loki:3.5.0", args=["-config.file=/etc/loki/config/config.yaml", "-target=all"],
                pvc=["/var/loki"], config=["/etc/loki/config"], sc=dict(NONROOT, runAsUser=10001)),
    "promtail": pod("promtail", "grafana/promtail:3.5.0", args=["-config.file=/etc/promtail/promtail.yaml"],
                    config=["/etc/promtail"], host=["/var/log"]),
    "coredns": pod("coredns", "registry.k8s.io/coredns/coredns:v1.12.0", args=["-conf", "/etc/coredns/Corefile"], config=["/etc/coredns"],
                   sc={"allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}),
    "metrics-server": pod("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                          args=["--cert-dir=/tmp", "--secure-port=10250", "--kubelet-preferred-address-types=InternalIP"],
                          sc=dict(NONROOT, runAsUser=1000)),
    "jenkins": pod("jenkins", "jenkins/jenkins:lts-jdk21", pvc=["/var/jenkins_home"], pod_sc={"fsGroup": 1000}),
    "argocd": pod("argocd", "quay.io/argoproj/argocd:v3.0.6", command=["argocd-repo-server"], sc=NONROOT),
    "keycloak": pod("keycloak", "quay.io/keycloak/keycloak:26.2", args=["start", "--hostname=https://id.example.com"],
                    env={"KC_DB": "postgres", "KC_DB_PASSWORD": SECRET}),
    "vault": pod("vault", "hashicorp/vault:1.19", args=["server"], env={"SKIP_SETCAP": "true", "SKIP_CHOWN": "true",
                 "VAULT_LOCAL_CONFIG": '{"storage": {"file": {"path": "/vault/file"}}, "listener": [{"tcp": {"address": "0.0.0.0:8200", "tls_disable": true}}]}'},
                 pvc=["/vault/file"]),
    "node": pod("node", "node:22-alpine", command=["node", "server.js"]),
    "python": pod("python", "python:3.13-slim", command=["python", "-m", "http.server", "8080"]),
    "jvm": pod("jvm", "eclipse-temurin:21-jre", command=["java", "-jar", "/app/app.jar"]),
    "bitnami-nginx": pod("bitnami-nginx", "bitnamilegacy/nginx:1.27", sc=dict(NONROOT, runAsUser=1001)),
    "bitnami-postgresql": pod("bitnami-postgresql", "docker.io/bitnamilegacy/postgresql:17", env={"POSTGRES_PASSWORD": SECRET},
                              pvc=["/bitnami/postgresql"], sc=dict(NONROOT, runAsUser=1001)),
}

# Reference shapes and the data, seeded and obsolete cases.
CASES = {
    "mirror-postgres": pod("mirror-postgres", "harbor.example.com/dockerhub-proxy/library/postgres:16", pvc=["/var/lib/postgresql/data"]),
    "pull-through-postgres": pod("pull-through-postgres", "public.ecr.aws/docker/library/postgres:16", pvc=["/var/lib/postgresql/data"]),
    "republished-nginx-unprivileged": pod("republished-nginx-unprivileged", "ghcr.io/nginx/nginx-unprivileged:1.27", sc=dict(NONROOT, runAsUser=101)),
    "bitnami-behind-mirror": pod("bitnami-behind-mirror", "registry.corp.example/mirror/bitnamilegacy/nginx:1.27", sc=dict(NONROOT, runAsUser=1001)),
    "bad-reference": pod("bad-reference", "NGINX:1.27"),
    "digest-postgres": pod("digest-postgres", f"postgres@{DIGEST}", pvc=["/var/lib/postgresql"]),
    "digest-mariadb": pod("digest-mariadb", f"mariadb@{DIGEST}", pvc=["/var/lib/mysql"]),
    "redis-no-data": pod("redis-no-data", "redis:8.2"),
    "redis-dir-moved": pod("redis-dir-moved", "redis:8.6", args=["--dir", "/srv/redis"], pvc=["/srv/redis"]),
    "postgres-18-old-path": pod("postgres-18-old-path", "postgres:18", pvc=["/var/lib/postgresql/data"]),
    "postgres-18-pgdata": pod("postgres-18-pgdata", "postgres:18", env={"PGDATA": "/var/lib/postgresql/data/pgdata"}, pvc=["/var/lib/postgresql/data"]),
    "nginx-templates": pod("nginx-templates", "nginx:1.27-alpine", config=["/etc/nginx/templates"]),
    "mongo-configsvr": pod("mongo-configsvr", "mongo:8.0", args=["--configsvr", "--replSet", "cfg", "--bind_ip_all"], pvc=["/data/configdb"]),
    "keycloak-optimized": pod("keycloak-optimized", "quay.io/keycloak/keycloak:26.2", args=["start", "--optimized"]),
    "keycloak-start-dev": pod("keycloak-start-dev", "quay.io/keycloak/keycloak:26.2", args=["start-dev"]),
    "vault-no-skip-setcap": pod("vault-no-skip-setcap", "hashicorp/vault:1.19"),
    "kafka-default-log-dirs": pod("kafka-default-log-dirs", "apache/kafka:3.9.0"),
    "grafana-file-logs": pod("grafana-file-logs", "grafana/grafana:12.0.0", env={"GF_LOG_MODE": "console file"}, pvc=["/var/lib/grafana"]),
    "wordpress-fpm": pod("wordpress-fpm", "wordpress:6.8-fpm-alpine", pvc=["/var/www/html"]),
    "zookeeper-conf-configmap": pod("zookeeper-conf-configmap", "zookeeper:3.9", pvc=["/data", "/datalog"], config=["/conf"]),
}


def main():
    for name, p in list(ENTRIES.items()) + list(CASES.items()):
        with open(os.path.join(OUT, f"pod-catalog-{name}.json"), "w") as f:
            json.dump(review(name, p), f, indent=2)
            f.write("\n")
    print(f"{len(ENTRIES)} entries, {len(CASES)} cases")


if __name__ == "__main__":
    main()
