#!/usr/bin/env python3
"""Writes the AdmissionReview fixtures under src/test/resources/admission/ that are derived from a few shapes.
The four samples from shared/ are copied as they are. Run from the repository root; review the diff."""
import copy, json, os, uuid

OUT = "src/test/resources/admission"
GVR = {
    "Pod": ("", "v1", "pods"), "Deployment": ("apps", "v1", "deployments"), "StatefulSet": ("apps", "v1", "statefulsets"),
    "DaemonSet": ("apps", "v1", "daemonsets"), "ReplicaSet": ("apps", "v1", "replicasets"),
    "ReplicationController": ("", "v1", "replicationcontrollers"), "Job": ("batch", "v1", "jobs"),
    "CronJob": ("batch", "v1", "cronjobs"), "ConfigMap": ("", "v1", "configmaps"),
    "Rollout": ("argoproj.io", "v1alpha1", "rollouts"),
}

def review(kind, obj, op="CREATE", old=None, ns="shop", name=None, sub=None, dry=False, seed=""):
    g, v, res = GVR[kind]
    req = {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, seed or json.dumps(obj, sort_keys=True))),
        "kind": {"group": g, "version": v, "kind": kind},
        "resource": {"group": g, "version": v, "resource": res},
        "requestKind": {"group": g, "version": v, "kind": kind},
        "requestResource": {"group": g, "version": v, "resource": res},
        "name": name if name is not None else obj.get("metadata", {}).get("name", ""),
        "namespace": ns, "operation": op,
        "userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "object": obj, "oldObject": old, "dryRun": dry,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions", "DELETE": "DeleteOptions"}[op]},
    }
    if sub:
        req["subResource"] = sub
        req["requestSubResource"] = sub
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}

def container(name, image, flag="missing"):
    c = {"name": name, "image": image}
    if flag == "nosc":
        return c
    c["securityContext"] = {"runAsNonRoot": True}
    if flag != "missing":
        c["securityContext"]["readOnlyRootFilesystem"] = flag
    return c

def pod_spec(*containers, init=(), **extra):
    spec = {"containers": list(containers)}
    if init:
        spec["initContainers"] = list(init)
    spec.update(extra)
    return spec

def pod(name, spec, ns="shop", annotations=None):
    meta = {"name": name, "namespace": ns}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

def workload(kind, api, name, spec, ns="shop", annotations=None):
    tmeta = {"labels": {"app": name}}
    if annotations:
        tmeta["annotations"] = annotations
    template = {"metadata": tmeta, "spec": spec}
    body = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if kind in ("Job",):
        body = {"template": template}
    if kind == "ReplicationController":
        body = {"selector": {"app": name}, "template": template}
    if kind == "CronJob":
        body = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}}
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": body}

def write(name, data):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")

ok = lambda n, i="ghcr.io/acme/api:1.0": container(n, i, True)

# Pods: each way the flag can be wrong, each container kind
write("pod-create-compliant.json", review("Pod", pod("api", pod_spec(ok("api"), init=[ok("setup", "busybox:1.36")]))))
write("pod-create-no-security-context.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0", "nosc")))))
write("pod-create-missing-flag.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0")))))
write("pod-create-flag-false.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0", False)))))
write("pod-create-flag-string.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0", "true")))))
write("pod-init-container-missing-flag.json", review("Pod", pod("api", pod_spec(ok("api"), init=[container("migrate", "ghcr.io/acme/migrate:1.0")]))))
write("pod-create-ephemeral-in-spec.json", review("Pod", pod("api", pod_spec(ok("api"), ephemeralContainers=[container("debug", "busybox:1.36", "nosc")]))))
write("pod-create-dry-run.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0"))), dry=True, seed="dry"))
write("pod-create-two-bad-containers.json", review("Pod", pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0"), container("sidecar", "envoyproxy/envoy:v1.31.0", False)))))
# Windows
write("pod-create-windows-os.json", review("Pod", pod("win", pod_spec(container("iis", "mcr.microsoft.com/windows/servercore/iis", "nosc"), os={"name": "windows"}))))
write("pod-create-windows-node-selector.json", review("Pod", pod("win", pod_spec(container("iis", "mcr.microsoft.com/windows/servercore/iis", "nosc"), nodeSelector={"kubernetes.io/os": "windows"}))))
# Exemptions
write("pod-create-kube-system.json", review("Pod", pod("dns", pod_spec(container("coredns", "registry.k8s.io/coredns/coredns:v1.11.1")), ns="kube-system"), ns="kube-system"))
write("pod-create-exempt-annotation.json", review("Pod", pod("legacy", pod_spec(container("app", "ghcr.io/acme/legacy:7")), annotations={"rofs-guard.dev/exempt": "JIRA-123: writes to /opt/app until rewrite"})))
write("pod-create-exempt-annotation-empty.json", review("Pod", pod("legacy", pod_spec(container("app", "ghcr.io/acme/legacy:7")), annotations={"rofs-guard.dev/exempt": "  "})))
write("pod-create-pause-image.json", review("Pod", pod("p", pod_spec(container("pause", "registry.k8s.io/pause:3.9"), ok("app")))))
write("pod-create-lookalike-image.json", review("Pod", pod("p", pod_spec(container("pause", "evil.example/registry.k8s.io/pause:3.9"), ok("app")))))
write("pod-create-named-sidecar.json", review("Pod", pod("p", pod_spec(ok("app"), container("legacy-agent", "ghcr.io/acme/agent:2")))))
# Workload kinds
bad = lambda: pod_spec(container("app", "ghcr.io/acme/app:1"), init=[ok("init", "busybox:1.36")])
good = lambda: pod_spec(ok("app", "ghcr.io/acme/app:1"))
for kind, api in [("StatefulSet", "apps/v1"), ("DaemonSet", "apps/v1"), ("ReplicaSet", "apps/v1"),
                  ("ReplicationController", "v1"), ("Job", "batch/v1"), ("CronJob", "batch/v1")]:
    write(f"{kind.lower()}-create-missing-flag.json", review(kind, workload(kind, api, "app", bad())))
    write(f"{kind.lower()}-create-compliant.json", review(kind, workload(kind, api, "app", good())))
write("deployment-create-exempt-annotation.json", review("Deployment", workload("Deployment", "apps/v1", "legacy", bad(), annotations={"rofs-guard.dev/exempt": "vendor image, ticket OPS-9"})))
write("rollout-create-missing-flag.json", review("Rollout", workload("Rollout", "argoproj.io/v1alpha1", "app", bad())))
write("configmap-create.json", review("ConfigMap", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}, "data": {"a": "b"}}))
# UPDATE semantics
d_old = workload("Deployment", "apps/v1", "web", bad())
d_scaled = copy.deepcopy(d_old); d_scaled["spec"]["replicas"] = 5; d_scaled["metadata"]["labels"] = {"team": "shop"}
write("deployment-update-replicas.json", review("Deployment", d_scaled, op="UPDATE", old=d_old))
d_new = copy.deepcopy(d_old); d_new["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/acme/app:2"
write("deployment-update-template.json", review("Deployment", d_new, op="UPDATE", old=d_old))
p_old = pod("api", pod_spec(ok("api")))
p_new = copy.deepcopy(p_old); p_new["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False
write("pod-update-flag-flipped.json", review("Pod", p_new, op="UPDATE", old=p_old))
p_bad = pod("api", pod_spec(container("api", "ghcr.io/acme/api:1.0")))
p_labelled = copy.deepcopy(p_bad); p_labelled["metadata"]["labels"] = {"x": "y"}
write("pod-update-labels-noncompliant.json", review("Pod", p_labelled, op="UPDATE", old=p_bad))
e_old = pod("api", pod_spec(ok("api"), ephemeralContainers=[container("debugger-old", "busybox:1.36", "nosc")]))
e_new = copy.deepcopy(e_old); e_new["spec"]["ephemeralContainers"].append(ok("debugger-new", "busybox:1.36"))
write("pod-ephemeral-update-compliant.json", review("Pod", e_new, op="UPDATE", old=e_old, sub="ephemeralcontainers"))
write("pod-delete.json", {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "7b0d8f6e-0000-4000-8000-000000000001", "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "resource": {"group": "", "version": "v1", "resource": "pods"}, "name": "api", "namespace": "shop",
    "operation": "DELETE", "userInfo": {"username": "alice@example.com"}, "object": None, "oldObject": p_bad,
    "dryRun": False, "options": {"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions"}}})
# Malformed objects the engine must answer with an error outcome, not an exception
write("pod-create-spec-not-object.json", review("Pod", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": "oops"}))

# Mutation: a Deployment of a catalogued image, and pods for the patch golden files
write("deployment-nginx-create.json", review("Deployment", workload("Deployment", "apps/v1", "web", pod_spec(container("web", "nginx:1.27", "nosc")))))

def plain(name, image, **extra):
    c = {"name": name, "image": image}
    c.update(extra)
    return c

write("pod-nginx-no-volumes.json", review("Pod", pod("web", pod_spec(plain("nginx", "nginx:1.27")))))
write("pod-nginx-partial.json", review("Pod", pod("web", pod_spec(plain("nginx", "mirror.gcr.io/library/nginx:1.27-alpine",
    securityContext={"runAsNonRoot": True}, volumeMounts=[{"name": "tmp", "mountPath": "/tmp/"}]),
    volumes=[{"name": "tmp", "emptyDir": {}}]), annotations={"team.example.com/owner": "web"})))
write("pod-nginx-flag-false.json", review("Pod", pod("web", pod_spec(plain("nginx", "nginx", securityContext={"readOnlyRootFilesystem": False})))))
write("pod-nginx-name-collision.json", review("Pod", pod("web", pod_spec(plain("nginx", "nginx"),
    volumes=[{"name": "rofs-nginx-var-run", "configMap": {"name": "x"}}]))))
write("pod-postgres-17-no-data-volume.json", review("Pod", pod("db", pod_spec(plain("postgres", "postgres:17.2")))))
write("pod-postgres-18-with-pvc.json", review("Pod", pod("db", pod_spec(plain("postgres", "postgres:18",
    volumeMounts=[{"name": "data", "mountPath": "/var/lib/postgresql"}]),
    volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "db-data"}}]))))
write("pod-unknown-image.json", review("Pod", pod("api", pod_spec(plain("api", "ghcr.io/acme/api:1.0")))))
write("pod-init-node-and-python.json", review("Pod", pod("job", pod_spec(plain("worker", "python:3.13-slim"),
    init=[plain("deps", "node:22")]))))
write("pod-windows-nginx.json", review("Pod", pod("win", pod_spec(plain("nginx", "nginx"), os={"name": "windows"}))))
write("pod-kube-system-nginx.json", review("Pod", pod("web", pod_spec(plain("nginx", "nginx")), ns="kube-system"), ns="kube-system"))
write("pod-odd-container-name.json", review("Pod", pod("web", pod_spec(plain("My.Very_Long.Container.Name." + "x" * 40, "httpd:2.4")))))
write("pod-no-metadata-annotations-memcached.json", review("Pod", pod("cache", pod_spec(plain("memcached", "memcached:1.6")))))
