#!/usr/bin/env python3
"""Renders one overlay of deploy/kubernetes with `kubectl kustomize` and checks the objects against the deployment's
rules (docs/kubernetes.md). Real Kubernetes cannot run here: rendering and these checks are the test.

Usage: check_overlay.py KUBECTL OVERLAY_DIR   (from the repository root; scripts/test-ops.sh runs it per overlay)
Facts are read from their sources, not repeated: the image, user and port from docker/, the metric names from
PipelineMetrics.java, the settings from Setting.java, the Redis directives from scripts/redis.conf.
"""
import re
import subprocess
import sys
from pathlib import Path

import yaml

# The Redis URL scheme each overlay must configure.
SCHEMES = {"redis": "redis://", "sentinel": "redis-sentinel://"}
METRICS_SOURCE = "routes/core/src/main/java/io/ttv/pipeline/core/metrics/PipelineMetrics.java"
SCALING_METRICS = ("jobs_queued_total", "jobs_processing_total")
CONSOLE_PORT = 8101
# Karaf's boot takes 15-20 s on two cores (docs/performance.md); the startup probe must allow several times that.
MIN_STARTUP_SECONDS = 120

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def read(path):
    return Path(path).read_text(encoding="utf-8")


def render(kubectl, overlay):
    run = subprocess.run([kubectl, "kustomize", overlay], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"kubectl kustomize {overlay} failed:\n{run.stderr}")
    # a warning means a deprecated field: the manifests must render cleanly
    check(run.stderr.strip() == "", f"kustomize warned: {run.stderr.strip()}")
    return [d for d in yaml.safe_load_all(run.stdout) if d]


def the(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if len(found) != 1:
        sys.exit(f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def image_facts():
    dockerfile = read("docker/Dockerfile")
    uid = int(re.search(r"useradd .*--uid (\d+)", dockerfile).group(1))
    port = int(re.search(r"TTV_HTTP_PORT=(\d+)", dockerfile).group(1))
    compose = yaml.safe_load(read("docker/docker-compose.yml"))
    image = compose["services"]["api"]["image"].split(":")[0]
    return image, uid, port


def settings():
    """Every TTV_* variable a node reads: Setting.java's, plus the entry point's own (TTV_LOG_CONSOLE, ...)."""
    source = read("routes/core/src/main/java/io/ttv/pipeline/core/config/Setting.java")
    names = set(re.findall(r'"(TTV_[A-Z0-9_]+)"', source))
    names |= set(re.findall(r"\b(TTV_[A-Z0-9_]+)", read("docker/entrypoint.sh")))
    return names


def is_secret(name):
    return (name in ("TTV_API_KEYS", "TTV_CALLBACK_SECRET", "TTV_REDIS_URL", "KARAF_PASSWORD")
            or name.endswith("_API_KEY") or "PASSWORD" in name)


def env_value(deployment, name):
    env = deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])
    return next((e.get("value") for e in env if e["name"] == name), None)


def container_port(container, port):
    """The number of a probe's or Service's port (a number or a container port's name)."""
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == port), None)


def main(kubectl, overlay):
    overlay = overlay.rstrip("/")
    flavour = Path(overlay).name
    objects = render(kubectl, overlay)
    image, uid, http_port = image_facts()
    known = settings()
    metrics_source = read(METRICS_SOURCE)

    config = the(objects, "ConfigMap")
    data = config["data"]
    grace = int(data["TTV_SHUTDOWN_GRACE_SECONDS"])
    check(int(data["TTV_HTTP_PORT"]) == http_port, "TTV_HTTP_PORT differs from the image's")
    check(not any(o["kind"] == "Secret" for o in objects), "a Secret is rendered: secrets are created, not committed")
    for name in data:
        check(name in known, f"ConfigMap: {name} is no setting of Setting.java or docker/entrypoint.sh")
        check(not is_secret(name), f"ConfigMap holds the secret {name}")

    deployments = {d["metadata"]["name"]: d for d in objects if d["kind"] == "Deployment"}
    check(set(deployments) == {"api", "worker"}, f"Deployments {sorted(deployments)}")
    for role, deployment in deployments.items():
        where = f"Deployment {role}"
        pod = deployment["spec"]["template"]
        spec = pod["spec"]
        labels = pod["metadata"]["labels"]
        check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), f"{where}: selector")
        check("replicas" not in deployment["spec"], f"{where}: replicas set, but an autoscaler owns them")
        (node,) = spec["containers"]
        check(node["image"].split("/")[-1].split(":")[0] == image, f"{where}: image {node['image']} is not {image}")
        env = node.get("env", [])
        names = [e["name"] for e in env]
        values = {e["name"]: e for e in env}
        check(values.get("TTV_ROLE", {}).get("value") == role, f"{where}: TTV_ROLE is not {role}")

        # configuration from the ConfigMap, keys and passwords from Secrets, nothing unknown
        sources = node.get("envFrom", [])
        check({"configMapRef": {"name": config["metadata"]["name"]}} in sources, f"{where}: no envFrom the ConfigMap")
        check(any("secretRef" in s for s in sources), f"{where}: no envFrom a Secret")
        for name in names:
            if name.startswith("TTV_"):
                check(name in known, f"{where}: {name} is no setting of Setting.java or docker/entrypoint.sh")
        for e in env:
            if is_secret(e["name"]) and e["name"] != "TTV_REDIS_URL":
                check("secretKeyRef" in e.get("valueFrom", {}), f"{where}: {e['name']} is not from a Secret")
        url = values.get("TTV_REDIS_URL", {}).get("value", "")
        check(url.startswith(SCHEMES[flavour]), f"{where}: TTV_REDIS_URL {url!r} is not {SCHEMES[flavour]}…")
        variables = re.findall(r"\$\(([A-Z_]+)\)", url)
        check(re.search(r"//[^@/]*:(?!\$\()[^@/]+@", url) is None, f"{where}: a literal password in TTV_REDIS_URL")
        for var in variables:
            # a variable is expanded only if it is defined before its use
            check(var in names[:names.index("TTV_REDIS_URL")] and "secretKeyRef" in values[var].get("valueFrom", {}),
                  f"{where}: $({var}) in TTV_REDIS_URL is not a Secret defined before it")

        # probes: Karaf's boot, liveness, readiness
        probes = {k: node.get(k) for k in ("startupProbe", "livenessProbe", "readinessProbe")}
        for kind, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            probe = probes[kind] or {}
            get = probe.get("httpGet", {})
            check(get.get("path") == path, f"{where}: {kind} is not GET {path}")
            check(container_port(node, get.get("port")) == http_port, f"{where}: {kind} not on port {http_port}")
        startup = probes["startupProbe"] or {}
        check(startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3) >= MIN_STARTUP_SECONDS,
              f"{where}: the startup probe allows less than {MIN_STARTUP_SECONDS} s for Karaf's boot")

        # graceful stop: running jobs finish within the grace, then Karaf stops; the API first leaves the endpoints
        pause = 0
        pre_stop = node.get("lifecycle", {}).get("preStop")
        if pre_stop:
            command = pre_stop.get("exec", {}).get("command", [])
            pause = int(command[1]) if command[:1] == ["sleep"] else pre_stop.get("sleep", {}).get("seconds", 0)
        if role == "api":
            check(pause >= 5, f"{where}: no preStop pause")
        termination = spec.get("terminationGracePeriodSeconds", 30)
        check(termination >= pause + grace + 15,
              f"{where}: terminationGracePeriodSeconds {termination} < preStop {pause} + grace {grace} + 15")

        # non-root as the image's user, no privilege (requests and limits: below, for every workload)
        security = spec.get("securityContext", {})
        container_security = node.get("securityContext", {})
        check(security.get("runAsNonRoot") is True, f"{where}: runAsNonRoot")
        check(security.get("runAsUser") == uid, f"{where}: runAsUser is not the image's user {uid}")
        check(container_security.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation")
        check("ALL" in container_security.get("capabilities", {}).get("drop", []), f"{where}: capabilities")
        check(all(p["containerPort"] != CONSOLE_PORT for p in node.get("ports", [])),
              f"{where}: declares port {CONSOLE_PORT}")
        annotations = pod["metadata"].get("annotations", {})
        check(annotations.get("prometheus.io/port") == str(http_port), f"{where}: metrics not scraped on {http_port}")

        # one PodDisruptionBudget per Deployment
        budgets = [b for b in objects if b["kind"] == "PodDisruptionBudget"
                   and b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        check(len(budgets) == 1, f"{where}: {len(budgets)} PodDisruptionBudgets")

    # every workload, Redis included: non-root, requests and limits
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet")):
        where = f"{workload['kind']} {workload['metadata']['name']}"
        check(workload["spec"]["template"]["spec"].get("securityContext", {}).get("runAsNonRoot") is True,
              f"{where}: runAsNonRoot")
        for c in workload["spec"]["template"]["spec"]["containers"]:
            for bound in ("requests", "limits"):
                have = c.get("resources", {}).get(bound, {})
                check("cpu" in have and "memory" in have, f"{where}/{c['name']}: no cpu and memory {bound}")

    # the API's Service on the HTTP port; no Service reaches the Karaf console
    api_pod = deployments["api"]["spec"]["template"]
    service = the(objects, "Service", "api")
    check(service["spec"]["selector"].items() <= api_pod["metadata"]["labels"].items(), "Service api: selector")
    check([p["port"] for p in service["spec"]["ports"]] == [http_port], f"Service api: not only port {http_port}")
    for s in (o for o in objects if o["kind"] == "Service"):
        for p in s["spec"]["ports"]:
            target = p.get("targetPort", p["port"])
            numbers = {p["port"], target if isinstance(target, int) else None}
            for d in deployments.values():
                numbers.add(container_port(d["spec"]["template"]["spec"]["containers"][0], target))
            check(CONSOLE_PORT not in numbers, f"Service {s['metadata']['name']} exposes {CONSOLE_PORT}")
    policy = the(objects, "NetworkPolicy", "ttv-nodes")
    allowed = [p["port"] for rule in policy["spec"]["ingress"] for p in rule.get("ports", [])]
    check(allowed == [http_port] and policy["spec"]["policyTypes"] == ["Ingress"],
          f"NetworkPolicy ttv-nodes lets in {allowed}, not only {http_port}")

    # the API scales on CPU
    hpa = the(objects, "HorizontalPodAutoscaler", "api")
    check(hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
          "HPA api: target")
    check(hpa["spec"]["minReplicas"] >= 2, "HPA api: fewer than 2 replicas")
    api_budget = next(b for b in objects if b["kind"] == "PodDisruptionBudget" and b["metadata"]["name"] == "api")
    check(api_budget["spec"].get("minAvailable", 0) < hpa["spec"]["minReplicas"],
          "PDB api: minAvailable leaves no pod to drain at minReplicas")

    # the workers scale on queued + running jobs, both exported by the node under these names
    scaled = the(objects, "ScaledObject", "worker")
    check(scaled["apiVersion"] == "keda.sh/v1alpha1", "ScaledObject: apiVersion")
    check(scaled["spec"]["scaleTargetRef"]["name"] == "worker", "ScaledObject: target")
    triggers = scaled["spec"]["triggers"]
    check([t["type"] for t in triggers] == ["prometheus"], f"ScaledObject: triggers {[t['type'] for t in triggers]}")
    for metric in SCALING_METRICS:
        check(f'"{metric}"' in metrics_source, f"{metric} is not exported by PipelineMetrics")
        for t in triggers:
            check(metric in t["metadata"].get("query", ""), f"ScaledObject: the query does not read {metric}")
    for t in triggers:
        check(re.search(r"jobs_queued_total.*\+.*jobs_processing_total", t["metadata"].get("query", "")) is not None,
              "ScaledObject: the query does not add queued and running jobs")
        check(t["metadata"].get("threshold") == data["TTV_WORKER_CONCURRENCY"],
              "ScaledObject: threshold is not TTV_WORKER_CONCURRENCY")
    check("fallback" in scaled["spec"], "ScaledObject: no fallback while the metric is unavailable")

    # the Redis of the overlay
    if flavour == "redis":
        redis = the(objects, "StatefulSet", "redis")
        args = " ".join(redis["spec"]["template"]["spec"]["containers"][0].get("args", []))
        for line in read("scripts/redis.conf").splitlines():
            if line.strip() and not line.startswith("#"):
                key, value = line.split(None, 1)
                if key == "save":
                    check(value in args, f"Redis: save {value} of scripts/redis.conf missing")
                else:
                    check(f"--{key} {value}" in args, f"Redis: {key} {value} of scripts/redis.conf missing")
        check("--requirepass $(REDIS_PASSWORD)" in args, "Redis: no password from the Secret")
        check([p["port"] for p in the(objects, "Service", "redis")["spec"]["ports"]] == [6379], "Service redis")
        for name, d in deployments.items():
            check(env_value(d, "TTV_REDIS_URL").endswith("@redis:6379/0"), f"{name}: TTV_REDIS_URL is not redis:6379")
    else:
        check(not any(o["kind"] == "StatefulSet" for o in objects), f"{flavour}: a StatefulSet, but Redis is external")
        for name, d in deployments.items():
            check("sentinelMasterId=mymaster" in env_value(d, "TTV_REDIS_URL"), f"{name}: no sentinelMasterId")

    print(f"{overlay}: {len(objects)} objects, " + ("all checks passed" if not failures else "FAILED:"))
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
