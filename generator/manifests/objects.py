"""Spec -> the Kubernetes objects of one environment, as plain Python data. Pure.

Every value a user wrote reaches the output only as a string inside these
dicts; `yamlout` is what turns them into text. The same function builds the
base (the spec without an environment) and each environment, so an overlay
is exactly the difference between two of its results (see `kustomize`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Spec

APP_LABEL = "app.kubernetes.io/name"
CONTAINER_NAME = "server"
SERVICE_PORT = 80
PORT_NAME = "http"
STARTUP_PERIOD_S = 10
LIVENESS_FAILURES = 3
DEFAULT_CPU_TARGET = 80  # `kubectl autoscale`'s default, used when the spec sets min < max without a target
ZONE_KEY = "topology.kubernetes.io/zone"
GPU_RESOURCE = "nvidia.com/gpu"
# A toleration for the node taint of each cloud's GPU nodes, and the node label naming the GPU.
# gke: GKE taints GPU node pools nvidia.com/gpu=present:NoSchedule and labels them with the accelerator type.
# eks: EKS Auto Mode / Karpenter GPU nodes carry nvidia.com/gpu:NoSchedule and the GPU name label (l4, a10g, t4...).
# aks: AKS GPU node pools are tainted sku=gpu:NoSchedule by convention (Microsoft's GPU guide); the
#      VM size (Standard_NC4as_T4_v3...) picks the GPU.
# none: NVIDIA GPU feature discovery's product label, and the device plugin's usual taint.
GPU_PLACEMENT: Mapping[str, tuple[str, dict[str, str]]] = {
    "gke": ("cloud.google.com/gke-accelerator", {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}),
    "eks": ("eks.amazonaws.com/instance-gpu-name", {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}),
    "aks": (
        "node.kubernetes.io/instance-type",
        {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
    ),
    "none": ("nvidia.com/gpu.product", {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}),
}
# The workload-identity annotation on the ServiceAccount, per cloud.
IDENTITY_ANNOTATION = {
    "gke": "iam.gke.io/gcp-service-account",
    "eks": "eks.amazonaws.com/role-arn",
    "aks": "azure.workload.identity/client-id",
}
AKS_IDENTITY_POD_LABEL = "azure.workload.identity/use"  # the AKS webhook injects the token only into labelled pods
# GKE's metadata server answers workload-identity token requests; with NetworkPolicy enforced
# (Dataplane V2) pods must be allowed to reach it.
GKE_METADATA_EGRESS = (("169.254.169.254/32", 80), ("169.254.169.252/32", 988))
DNS_PORT = 53
DEFAULT_EGRESS = {"cidrs": ("0.0.0.0/0",), "ports": (443,)}  # HTTPS anywhere: model stores, registries, cloud APIs
DEFAULT_CONTROLLER_NAMESPACE = "ingress-nginx"
EXTERNAL_SECRETS_API = "external-secrets.io/v1"  # External Secrets Operator >= 0.16
DEFAULT_STORE_KIND = "SecretStore"
DEFAULT_REFRESH = "1h"

# Checkov checks that a rendered object fails by design, with the reason (no "=" in reasons:
# Checkov splits the annotation on it).
SKIP_SECRET_ENV = (
    "CKV_K8S_35",
    (
        "container.secrets maps secrets to environment variables as on every other "
        "target; the values come from an existing Secret via secretKeyRef"
    ),
)
SKIP_DIGEST = ("CKV_K8S_43", "the image is pinned by tag in the spec; a digest is set by CI per deploy")
SKIP_TOKEN = ("CKV_K8S_38", "targets.kubernetes.service_account_token is set: the server calls the Kubernetes API")


@dataclass(frozen=True)
class Settings:
    """targets.kubernetes, defaults applied (see kubernetes.DEFAULTS)."""

    cloud: str
    identity: str | None
    namespace: str
    requests_cpu: float
    requests_memory: int
    gpu_type: str | None
    gpu_count: int
    startup_seconds: int
    ingress: Mapping[str, Any] | None
    image_pull_secrets: tuple[str, ...]
    writable_paths: tuple[str, ...]
    service_account_token: bool
    egress_cidrs: tuple[str, ...]
    egress_ports: tuple[int, ...]
    run_as_user: int
    secret_key: str
    secret_store: Mapping[str, Any] | None  # External Secrets Operator store the Secrets are synced from


def settings_of(spec: Spec, target_name: str) -> Settings:
    raw = spec.target(target_name)
    requests = raw.get("requests") or {}
    # Issue 12 #3: the shared container/resources fields win over this target's own (which keep working).
    shared_gpu = spec.resources.gpu
    gpu: dict[str, Any] = (
        {"type": shared_gpu.type, "count": shared_gpu.count} if shared_gpu else dict(raw.get("gpu") or {})
    )
    startup = spec.container.startup_seconds
    writable = spec.container.writable_paths if "container.writable_paths" in spec.explicit else raw["writable_paths"]
    egress = {**DEFAULT_EGRESS, **(raw.get("egress") or {})}
    return Settings(
        cloud=raw["cloud"],
        identity=raw.get("identity"),
        namespace=raw.get("namespace") or spec.name,
        requests_cpu=float(requests.get("cpu", spec.resources.cpu)),
        requests_memory=int(requests.get("memory", spec.resources.memory)),
        gpu_type=gpu.get("type"),
        gpu_count=int(gpu.get("count", 1)) if gpu else 0,
        startup_seconds=startup if startup is not None else raw["startup_seconds"],
        ingress={"controller_namespace": DEFAULT_CONTROLLER_NAMESPACE, **raw["ingress"]}
        if raw.get("ingress")
        else None,
        image_pull_secrets=tuple(raw["image_pull_secrets"]),
        writable_paths=tuple(writable),
        service_account_token=raw["service_account_token"],
        egress_cidrs=tuple(egress["cidrs"]),
        egress_ports=tuple(egress["ports"]),
        run_as_user=raw["run_as_user"],
        secret_key=raw["secret_key"],
        secret_store=(
            {"kind": DEFAULT_STORE_KIND, "refresh_interval": DEFAULT_REFRESH, **raw["secret_store"]}
            if raw.get("secret_store")
            else None
        ),
    )


def cpu_quantity(vcpu: float) -> str:
    """0.25 -> "250m", 2 -> "2": Kubernetes' canonical form."""
    millis = round(vcpu * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_quantity(mib: int) -> str:
    """1024 -> "1Gi", 512 -> "512Mi"."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def labels(spec: Spec) -> dict[str, str]:
    """The spec's labels plus tfgen's own, on every object (the user's win on a clash)."""
    base = {APP_LABEL: spec.service, "managed-by": "tfgen", "service": spec.service}
    if spec.env:
        base["environment"] = spec.env
    return {**base, **spec.labels}


def selector(spec: Spec) -> dict[str, str]:
    return {APP_LABEL: spec.service}


def uses_hpa(spec: Spec) -> bool:
    return spec.scaling.min < spec.scaling.max


def _meta(spec: Spec, s: Settings, name: str, namespaced: bool = True, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": labels(spec)}
    if namespaced:
        meta["namespace"] = s.namespace
    meta.update({k: v for k, v in extra.items() if v})
    return meta


def _skip_annotations(skips: list[tuple[str, str]]) -> dict[str, str]:
    return {f"checkov.io/skip{i}": f"{check}={reason}" for i, (check, reason) in enumerate(skips, 1)}


def namespace(spec: Spec, s: Settings) -> dict[str, Any]:
    meta = _meta(spec, s, s.namespace, namespaced=False, annotations={"kubernetes.io/description": spec.description})
    # Pod Security Admission refuses any pod in this namespace that breaks the "restricted" profile.
    meta["labels"] = {**meta["labels"], "pod-security.kubernetes.io/enforce": "restricted"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def service_account(spec: Spec, s: Settings) -> dict[str, Any]:
    annotations = {IDENTITY_ANNOTATION[s.cloud]: s.identity} if s.identity else None
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(spec, s, spec.service, annotations=annotations),
        "automountServiceAccountToken": s.service_account_token,
    }


def _probe(spec: Spec, period: int, failures: int) -> dict[str, Any]:
    health = spec.container.health
    return {
        "httpGet": {"path": health.path, "port": PORT_NAME},
        "periodSeconds": period,
        "timeoutSeconds": health.timeout,
        "failureThreshold": failures,
    }


def probes(spec: Spec, s: Settings) -> dict[str, dict[str, Any]]:
    """Startup probe covering the model-load window; readiness and liveness from the health check.

    Kubernetes runs no readiness or liveness probe until the startup probe
    has passed, so a model that loads for `startup_seconds` is not killed.
    """
    health = spec.container.health
    startup_period = max(STARTUP_PERIOD_S, health.timeout + 1)
    return {
        "startupProbe": _probe(spec, startup_period, max(1, math.ceil(s.startup_seconds / startup_period))),
        "readinessProbe": _probe(spec, health.interval, LIVENESS_FAILURES),
        "livenessProbe": _probe(spec, health.interval, LIVENESS_FAILURES),
    }


def _env(spec: Spec, s: Settings) -> list[dict[str, Any]]:
    plain = [{"name": k, "value": v} for k, v in sorted(spec.container.env.items())]
    secret = [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": v, "key": s.secret_key}}}
        for k, v in sorted(spec.container.secrets.items())
    ]
    return plain + secret


def _resources(spec: Spec, s: Settings) -> dict[str, Any]:
    limits: dict[str, Any] = {"cpu": cpu_quantity(spec.resources.cpu), "memory": memory_quantity(spec.resources.memory)}
    requests: dict[str, Any] = {"cpu": cpu_quantity(s.requests_cpu), "memory": memory_quantity(s.requests_memory)}
    if s.gpu_count:
        limits[GPU_RESOURCE] = s.gpu_count  # extended resources: request defaults to (and must equal) the limit
    return {"limits": limits, "requests": requests}


def volume_name(index: int) -> str:
    return f"writable-{index}"


def _container(spec: Spec, s: Settings) -> dict[str, Any]:
    c = spec.container
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": c.image,
        "imagePullPolicy": "Always",
        "ports": [{"name": PORT_NAME, "containerPort": c.port, "protocol": "TCP"}],
        "resources": _resources(spec, s),
        **probes(spec, s),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    if c.command:
        container["command"] = list(c.command)
    if c.args:
        container["args"] = list(c.args)
    env = _env(spec, s)
    if env:
        container["env"] = env
    if s.writable_paths:
        container["volumeMounts"] = [{"name": volume_name(i), "mountPath": p} for i, p in enumerate(s.writable_paths)]
    return container


def deployment_skips(spec: Spec, s: Settings) -> list[tuple[str, str]]:
    skips = []
    if s.service_account_token:
        skips.append(SKIP_TOKEN)
    if spec.container.secrets:
        skips.append(SKIP_SECRET_ENV)
    if "@sha256:" not in (spec.container.image or ""):
        skips.append(SKIP_DIGEST)
    return skips


def deployment(spec: Spec, s: Settings) -> dict[str, Any]:
    pod_labels = labels(spec)
    if s.cloud == "aks" and s.identity:
        pod_labels[AKS_IDENTITY_POD_LABEL] = "true"
    pod: dict[str, Any] = {
        "serviceAccountName": spec.service,
        "automountServiceAccountToken": s.service_account_token,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": s.run_as_user,
            "runAsGroup": s.run_as_user,
            "fsGroup": s.run_as_user,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_container(spec, s)],
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": ZONE_KEY,
                # ScheduleAnyway: a single-zone cluster still runs every replica
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(spec)},
            }
        ],
    }
    if s.writable_paths:
        pod["volumes"] = [{"name": volume_name(i), "emptyDir": {}} for i in range(len(s.writable_paths))]
    if s.image_pull_secrets:
        pod["imagePullSecrets"] = [{"name": n} for n in s.image_pull_secrets]
    if s.gpu_count:
        label_key, toleration = GPU_PLACEMENT[s.cloud]
        pod["nodeSelector"] = {label_key: s.gpu_type}
        pod["tolerations"] = [toleration]
    spec_body: dict[str, Any] = {
        "selector": {"matchLabels": selector(spec)},
        # keep serving capacity during a rollout: a model can take minutes to load
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "template": {"metadata": {"labels": pod_labels}, "spec": pod},
    }
    if not uses_hpa(spec):
        spec_body["replicas"] = spec.scaling.min  # with an HPA the HPA owns the count
    meta = _meta(spec, s, spec.service, annotations=_skip_annotations(deployment_skips(spec, s)))
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec_body}


def service_type(spec: Spec, s: Settings) -> str:
    return "LoadBalancer" if spec.network.public and not s.ingress else "ClusterIP"


def service(spec: Spec, s: Settings) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": service_type(spec, s),
        "selector": selector(spec),
        "ports": [{"name": PORT_NAME, "port": SERVICE_PORT, "targetPort": spec.container.port, "protocol": "TCP"}],
    }
    if body["type"] == "LoadBalancer":
        body["loadBalancerSourceRanges"] = list(spec.network.allowed_cidrs)
        # keep client addresses, so the NetworkPolicy's ipBlock rules see them
        body["externalTrafficPolicy"] = "Local"
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(spec, s, spec.service), "spec": body}


def ingress(spec: Spec, s: Settings) -> dict[str, Any]:
    i = s.ingress or {}
    backend = {"service": {"name": spec.service, "port": {"number": SERVICE_PORT}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta(spec, s, spec.service),
        "spec": {
            "ingressClassName": i["class_name"],
            "tls": [{"hosts": [i["host"]], "secretName": i["tls_secret"]}],
            "rules": [
                {"host": i["host"], "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
            ],
        },
    }


def hpa(spec: Spec, s: Settings) -> dict[str, Any]:
    target = spec.scaling.cpu_target if spec.scaling.cpu_target is not None else DEFAULT_CPU_TARGET
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(spec, s, spec.service),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.service},
            "minReplicas": spec.scaling.min,
            "maxReplicas": spec.scaling.max,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
                }
            ],
        },
    }


def pdb(spec: Spec, s: Settings) -> dict[str, Any]:
    # maxUnavailable (not minAvailable) so a one-replica service never blocks a node drain
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(spec, s, spec.service),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(spec)}},
    }


def _namespace_peer(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def network_policy(spec: Spec, s: Settings) -> dict[str, Any]:
    sources: list[dict[str, Any]] = [{"ipBlock": {"cidr": c}} for c in spec.network.allowed_cidrs]
    sources.append(_namespace_peer(s.namespace))
    if s.ingress:
        sources.append(_namespace_peer(s.ingress["controller_namespace"]))
    egress: list[dict[str, Any]] = [
        {
            "to": [_namespace_peer("kube-system")],
            "ports": [{"protocol": "UDP", "port": DNS_PORT}, {"protocol": "TCP", "port": DNS_PORT}],
        }
    ]
    if s.egress_cidrs and s.egress_ports:
        egress.append(
            {
                "to": [{"ipBlock": {"cidr": c}} for c in s.egress_cidrs],
                "ports": [{"protocol": "TCP", "port": p} for p in s.egress_ports],
            }
        )
    if s.cloud == "gke" and s.identity:
        for cidr, port in GKE_METADATA_EGRESS:
            egress.append({"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"protocol": "TCP", "port": port}]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(spec, s, spec.service),
        "spec": {
            "podSelector": {"matchLabels": selector(spec)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": [{"protocol": "TCP", "port": spec.container.port}]}],
            "egress": egress,
        },
    }


def external_secrets(spec: Spec, s: Settings) -> list[dict[str, Any]]:
    """One ExternalSecret per Secret the container reads, when the spec names a store: the
    operator creates (and refreshes) the Secret the Deployment's secretKeyRef points at."""
    if not s.secret_store:
        return []
    store = s.secret_store
    out = []
    for name in sorted(set(spec.container.secrets.values())):
        out.append(
            {
                "apiVersion": EXTERNAL_SECRETS_API,
                "kind": "ExternalSecret",
                "metadata": _meta(spec, s, name),
                "spec": {
                    "refreshInterval": store["refresh_interval"],
                    "secretStoreRef": {"name": store["name"], "kind": store["kind"]},
                    "target": {"name": name, "creationPolicy": "Owner"},
                    "data": [{"secretKey": s.secret_key, "remoteRef": {"key": name}}],
                },
            }
        )
    return out


def build(spec: Spec, s: Settings) -> list[dict[str, Any]]:
    """Every object of one environment, in apply order."""
    objects = [
        namespace(spec, s),
        service_account(spec, s),
        *external_secrets(spec, s),
        deployment(spec, s),
        service(spec, s),
    ]
    if s.ingress:
        objects.append(ingress(spec, s))
    if uses_hpa(spec):
        objects.append(hpa(spec, s))
    objects += [pdb(spec, s), network_policy(spec, s)]
    return objects
