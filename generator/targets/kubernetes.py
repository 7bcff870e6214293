"""Kubernetes (GKE, EKS, AKS or any cluster): a Kustomize tree of plain manifests.

Not Terraform: the kubernetes provider needs a reachable cluster at plan time
and its schema is not available offline, while manifests can be validated
against the Kubernetes OpenAPI schema and scanned by Checkov's kubernetes
framework offline. The module is `base/` (the spec without an environment)
plus `overlays/<env>/` per spec environment; see generator/manifests/.

Settings the common spec cannot say yet (the ML-spec issue will add GPUs,
the model-load window and writable paths to it) live under
`targets.kubernetes`, described by SCHEMA below.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePosixPath
from typing import Any

from ..manifests import kustomize, objects
from ..model import Spec
from ..outputs.kubernetes import KUBERNETES_MANIFESTS
from . import common
from .base import ReadmeFacts, Target, markdown

NAME = "kubernetes"
TITLE = "Kubernetes (Kustomize)"
TEMPLATE_DIR = ""  # no templates of its own: manifests are built as data (files()), the README is the shared one
# Manifests are validated against this Kubernetes version's OpenAPI schema
# (kubectl on the image is 1.32; GKE, EKS and AKS all run it).
KUBERNETES_VERSION = "1.32"

CLOUDS = ("gke", "eks", "aks", "none")
# The default writable path: a mount point inside the container (an emptyDir), not a temp file of tfgen's.
DEFAULT_WRITABLE = "/tmp"
_DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
IDENTITY_PATTERNS = {
    "gke": (
        r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$",
        "a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)",
    ),
    "eks": (r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", "an IAM role ARN"),
    "aks": (
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "the client id (a UUID) of a user-assigned managed identity",
    ),
}
STARTUP_MAX_S = 3600
NAMESPACE_MAX = 63
# Every Kubernetes object name here is the service name; the namespace of an
# environment is `<service>-<env>` (24 + 1 + 8 characters, always a valid label).

_K8S_NAME = {"type": "string", "pattern": _DNS_LABEL, "maxLength": 63}
_K8S_SUBDOMAIN = {
    "type": "string",
    "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    "maxLength": 253,
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Kubernetes manifests and a Kustomize tree (base plus one overlay per environment).",
    "properties": {
        "cloud": {
            "description": "The cluster's cloud: picks the workload-identity annotation and the GPU node label and taint.",
            "enum": list(CLOUDS),
            "default": "none",
        },
        "identity": {
            "description": "Workload identity of the ServiceAccount: a Google service account email (gke), an IAM "
            "role ARN (eks) or a managed identity's client id (aks).",
            "type": "string",
            "maxLength": 600,
        },
        "namespace": {
            **_K8S_NAME,
            "description": "Namespace to create and deploy into (default: the service name, "
            "`<name>-<env>` in an environment).",
        },
        "requests": {
            "description": "Resource requests, when lower than the limits (resources.cpu / resources.memory). "
            "Default: equal to the limits (Guaranteed QoS).",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "cpu": {"type": "number", "exclusiveMinimum": 0, "maximum": 16, "description": "vCPU"},
                "memory": {"type": "integer", "minimum": 16, "maximum": 122880, "description": "MiB"},
            },
        },
        "gpu": {
            "description": "NVIDIA GPUs per pod: an `nvidia.com/gpu` limit, and a node selector + toleration for the "
            "cloud's GPU nodes. `type` is the value of the cloud's GPU node label: the GKE accelerator "
            "(nvidia-l4), the EKS GPU name (l4, a10g), the AKS VM size (Standard_NC4as_T4_v3), or the "
            "nvidia.com/gpu.product label elsewhere.",
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "pattern": "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", "maxLength": 63},
                "count": {"type": "integer", "minimum": 1, "maximum": 16, "default": 1},
            },
        },
        "startup_seconds": {
            "description": "How long loading the model may take: the startup probe's window, before "
            "readiness and liveness probes start.",
            "type": "integer",
            "minimum": 0,
            "maximum": STARTUP_MAX_S,
            "default": 120,
        },
        "ingress": {
            "description": "An Ingress in front of the Service, with TLS (the Service is then ClusterIP).",
            "type": "object",
            "additionalProperties": False,
            "required": ["host", "class_name", "tls_secret"],
            "properties": {
                "host": {
                    "type": "string",
                    "maxLength": 253,
                    "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$",
                },
                "class_name": {
                    **_K8S_SUBDOMAIN,
                    "description": "IngressClass, e.g. nginx, gce, alb, webapprouting.kubernetes.azure.com.",
                },
                "tls_secret": {
                    **_K8S_SUBDOMAIN,
                    "description": "Existing TLS Secret (tls.crt/tls.key) in the namespace.",
                },
                "controller_namespace": {
                    **_K8S_NAME,
                    "default": "ingress-nginx",
                    "description": "Namespace of the ingress controller pods; the NetworkPolicy admits them.",
                },
            },
        },
        "image_pull_secrets": {
            "description": "Existing docker-registry Secrets for a private registry.",
            "type": "array",
            "uniqueItems": True,
            "maxItems": 8,
            "items": _K8S_SUBDOMAIN,
            "default": [],
        },
        "writable_paths": {
            "description": "Paths the server writes to; each gets an emptyDir volume (the root filesystem is read-only).",
            "type": "array",
            "uniqueItems": True,
            "maxItems": 16,
            "default": [DEFAULT_WRITABLE],
            "items": {"type": "string", "pattern": "^/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$", "maxLength": 255},
        },
        "service_account_token": {
            "description": "Mount a Kubernetes API token into the pods (only if the server calls the API).",
            "type": "boolean",
            "default": False,
        },
        "egress": {
            "description": "What the pods may reach besides cluster DNS: TCP ports on address ranges.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "cidrs": {
                    "type": "array",
                    "uniqueItems": True,
                    "maxItems": 50,
                    "items": {"$ref": "#/$defs/cidr"},
                    "default": ["0.0.0.0/0"],
                },
                "ports": {
                    "type": "array",
                    "uniqueItems": True,
                    "maxItems": 20,
                    "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "default": [443],
                },
            },
        },
        "run_as_user": {
            "description": "UID (and GID) the container runs as; above 10000 so it maps to no host user.",
            "type": "integer",
            "minimum": 10000,
            "maximum": 2147483647,
            "default": 10001,
        },
        "secret_key": {
            "description": "Key inside each Secret named in container.secrets that holds the value.",
            "type": "string",
            "pattern": "^[-._a-zA-Z0-9]+$",
            "maxLength": 253,
            "default": "value",
        },
        "secret_store": {
            "description": "An External Secrets Operator store: each Secret named in container.secrets is then synced "
            "from the store entry of the same name by an ExternalSecret (external-secrets.io/v1), "
            "instead of having to exist already.",
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {**_K8S_SUBDOMAIN, "description": "The SecretStore or ClusterSecretStore."},
                "kind": {"enum": ["SecretStore", "ClusterSecretStore"], "default": "SecretStore"},
                "refresh_interval": {
                    "description": "How often the operator reads the store again (e.g. 15m, 1h).",
                    "type": "string",
                    "pattern": "^[1-9][0-9]{0,3}(s|m|h)$",
                    "default": "1h",
                },
            },
        },
    },
}

# What normalize fills in (nested maps only inside an object the user gave); equal to the
# schema's defaults. `egress` left out entirely means the same as its defaults (objects.settings_of).
DEFAULTS: dict[str, Any] = {
    "cloud": "none",
    "startup_seconds": 120,
    "image_pull_secrets": [],
    "writable_paths": [DEFAULT_WRITABLE],
    "service_account_token": False,
    "run_as_user": 10001,
    "secret_key": "value",
    "egress": {"cidrs": ["0.0.0.0/0"], "ports": [443]},
    "ingress": {"controller_namespace": "ingress-nginx"},
    "gpu": {"count": 1},
    "secret_store": {"kind": "SecretStore", "refresh_interval": "1h"},
}


# ---------------------------------------------------------------- limits


def check(spec: Spec) -> list[common.Finding]:
    raw = spec.target(NAME)
    s = objects.settings_of(spec, NAME)
    where = ("targets", NAME)
    found: list[common.Finding] = []
    found += _check_not_honoured(spec)
    if spec.scaling.min == 0 and objects.uses_hpa(spec):
        found.append(
            (
                ("scaling", "min"),
                ("a HorizontalPodAutoscaler cannot scale to zero; use scaling.min >= 1 (or min = max = 0 for no pods)"),
            )
        )
    if s.requests_cpu > spec.resources.cpu + 1e-9:
        found.append(
            (
                where + ("requests", "cpu"),
                f"request ({s.requests_cpu:g}) above the limit resources.cpu ({spec.resources.cpu:g})",
            )
        )
    if s.requests_memory > spec.resources.memory:
        found.append(
            (
                where + ("requests", "memory"),
                f"request ({s.requests_memory}) above the limit resources.memory ({spec.resources.memory})",
            )
        )
    cpus: list[tuple[tuple[str, ...], float]] = [(("resources", "cpu"), spec.resources.cpu)]
    if "cpu" in (raw.get("requests") or {}):
        cpus.append((where + ("requests", "cpu"), s.requests_cpu))
    for path, vcpu in cpus:
        if abs(vcpu * 1000 - round(vcpu * 1000)) > 1e-6:
            found.append((path, f"{vcpu:g} vCPU is not a whole number of millicores"))
    if s.identity is not None:
        if s.cloud == "none":
            found.append((where + ("identity",), "workload identity needs `cloud` (gke, eks or aks)"))
        else:
            pattern, words = IDENTITY_PATTERNS[s.cloud]
            if not re.fullmatch(pattern, s.identity):  # fullmatch: `$` alone lets a final "\n" through
                found.append((where + ("identity",), f"on {s.cloud} this is {words}"))
    for key, value in sorted(objects.labels(spec).items()):
        if not _LABEL_VALUE.match(value):
            found.append(
                (("labels", key), f"{value!r} is not a Kubernetes label value (starts and ends with a letter or digit)")
            )
    for env_name, secret in sorted(spec.container.secrets.items()):
        if not _DNS_SUBDOMAIN.match(secret) or len(secret) > 253:
            found.append(
                (
                    ("container", "secrets", env_name),
                    f"`{secret}` is not a Kubernetes Secret name (lowercase letters, digits, `-` and `.`)",
                )
            )
    for key in sorted(set(spec.container.env) & set(spec.container.secrets)):
        found.append(
            (("container", "secrets", key), f"`{key}` is also in container.env; a variable is either plain or a secret")
        )
    if len(s.namespace) > NAMESPACE_MAX:
        found.append((where + ("namespace",), f"namespace `{s.namespace}` is longer than {NAMESPACE_MAX} characters"))
    found += _check_egress(raw, where)
    if s.secret_store and not spec.container.secrets:
        found.append(
            (
                where + ("secret_store",),
                "no container.secrets to sync from the store; remove secret_store or name the secrets",
            )
        )
    if s.ingress:
        found += common.check_any_source_only(spec, "Ingress")
    return found


def _check_not_honoured(spec: Spec) -> list[common.Finding]:
    """Spec settings plain manifests cannot carry: an error, never silently dropped."""
    found: list[common.Finding] = []
    if common.explicit(spec, "scaling.concurrency"):
        found.append(
            (
                ("scaling", "concurrency"),
                (
                    "the HorizontalPodAutoscaler here scales on CPU (scaling.cpu_target); "
                    "request concurrency needs a custom-metrics adapter: remove scaling.concurrency"
                ),
            )
        )
    alarms = spec.observability.alarms
    for metric in ("cpu_percent", "memory_percent", "error_rate_percent", "latency_p99_ms"):
        if getattr(alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    "alerting is the cluster's monitoring stack (e.g. PrometheusRule), not part of these manifests; remove it",
                )
            )
    if spec.observability.notify_emails:  # issue 13 #3: this target renders no alarms to notify about
        found.append(
            (
                ("observability", "notify_emails"),
                "the manifests have no alarms (alerting is the cluster's monitoring stack); remove it",
            )
        )
    if common.explicit(spec, "observability.tracing") and spec.observability.tracing:
        found.append(
            (
                ("observability", "tracing"),
                "tracing is the cluster's collector, not part of these manifests; remove it or set false",
            )
        )
    if common.explicit(spec, "observability.log_retention_days"):
        found.append(
            (("observability", "log_retention_days"), "log retention is the cluster's logging stack; remove it")
        )
    found += common.check_compute(
        spec,
        "The kubernetes target",
        arm64="its pods set no node architecture",
        spot="Spot nodes are the cluster's node pools, not part of these manifests",
    )
    if spec.network.vpc == "existing" or common.explicit(spec, "network.cidr"):
        field = "vpc" if spec.network.vpc == "existing" else "cidr"
        found.append((("network", field), "pods run in the cluster's network; remove network." + field))
    return found


def _check_egress(raw: Any, where: tuple) -> list[common.Finding]:
    found: list[common.Finding] = []
    for i, cidr in enumerate((raw.get("egress") or {}).get("cidrs", ())):
        try:
            ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            found.append((where + ("egress", "cidrs", i), f"{cidr} has host bits set"))
    return found


# ---------------------------------------------------------------- files


def objects_of(spec: Spec) -> list[dict[str, Any]]:
    spec = spec.for_target(NAME)  # its targets.kubernetes overrides merged in
    return objects.build(spec, objects.settings_of(spec, NAME))


def _base(spec: Spec) -> Spec:
    """The base model: one module holds every environment, whichever model renders it."""
    return spec.base or spec


def files(spec: Spec) -> dict[PurePosixPath, str]:
    """The Kustomize tree, relative to the module folder: base/ and overlays/<env>/."""
    base = _base(spec)
    environments = {
        env: objects_of(env_spec) for env, env_spec in base.environments.items() if NAME in env_spec.targets
    }
    return kustomize.tree(objects_of(base), environments)


# ---------------------------------------------------------------- README


def _what(obj: dict[str, Any], spec: Spec, s: objects.Settings) -> str:
    """One line per object for the README (tfgen's own words; user values are pattern-checked)."""
    kind = obj["kind"]
    if kind == "Namespace":
        return "Pod Security Admission enforces the `restricted` profile"
    if kind == "ServiceAccount":
        if s.identity:
            return f"workload identity `{s.identity}` ({s.cloud})"
        return "no cloud identity" + ("" if s.service_account_token else "; no API token mounted")
    if kind == "Deployment":
        count = (
            f"{spec.scaling.min} replicas"
            if not objects.uses_hpa(spec)
            else f"{spec.scaling.min}-{spec.scaling.max} replicas (HPA)"
        )
        gpu = f", {s.gpu_count} GPU `{s.gpu_type}`" if s.gpu_count else ""
        return (
            f"`{spec.container.image}`, {count}; requests {objects.cpu_quantity(s.requests_cpu)} / "
            f"{objects.memory_quantity(s.requests_memory)}, limits {objects.cpu_quantity(spec.resources.cpu)} / "
            f"{objects.memory_quantity(spec.resources.memory)}{gpu}"
        )
    if kind == "ExternalSecret":
        store = obj["spec"]["secretStoreRef"]
        return (
            f"synced every {obj['spec']['refreshInterval']} from {store['kind']} `{store['name']}` "
            f"(entry `{obj['metadata']['name']}`) into the Secret the pods read"
        )
    if kind == "Service":
        extra = (
            f", source ranges `{'`, `'.join(spec.network.allowed_cidrs)}`"
            if obj["spec"]["type"] == "LoadBalancer"
            else ""
        )
        return f"{obj['spec']['type']}, port {objects.SERVICE_PORT} to container port {spec.container.port}{extra}"
    if kind == "Ingress":
        i = s.ingress or {}
        return f"`https://{i['host']}/`, class `{i['class_name']}`, TLS from Secret `{i['tls_secret']}`"
    if kind == "HorizontalPodAutoscaler":
        target = obj["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
        return f"{spec.scaling.min}-{spec.scaling.max} replicas at {target}% of the CPU request"
    if kind == "PodDisruptionBudget":
        return "at most one pod down at a time during voluntary disruptions (node drains)"
    if kind == "NetworkPolicy":
        ports = ", ".join(str(p) for p in s.egress_ports)
        return (
            f"ingress only from `{'`, `'.join(spec.network.allowed_cidrs)}` and the namespace"
            + (f" and `{s.ingress['controller_namespace']}`" if s.ingress else "")
            + f"; egress to cluster DNS and TCP {ports or 'none'}"
        )
    return ""


def context(spec: Spec) -> dict[str, Any]:
    """What the shared README reads, and what readme() builds its items from (the base model)."""
    spec = _base(spec).for_target(NAME)
    s = objects.settings_of(spec, NAME)
    return {
        **common.base_context(spec),
        "environment": None,  # one module for the base and every environment
        "settings": s,
        "objects": objects.build(spec, s),
        "namespaces": {env: objects.settings_of(e, NAME).namespace for env, e in sorted(spec.environments.items())},
        "skip": dict(objects.deployment_skips(spec, s)),  # Checkov check -> reason (annotations on the Deployment)
        "spec_model": spec,
    }


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know; items are tfgen's own Markdown
    (markdown()), and every spec value in them is pattern-restricted by the schema."""
    spec, s = c["spec_model"], c["settings"]
    creates = [
        markdown(f"{o['kind']} `{o['metadata']['name']}` (`base/{kustomize.file_name(o)}`): {_what(o, spec, s)}")
        for o in c["objects"]
    ]
    apply = [f"`kubectl apply --server-side -k base` (namespace `{s.namespace}`)"]
    apply += [f"`-k overlays/{env}` (namespace `{ns}`)" for env, ns in c["namespaces"].items()]
    notes = [
        markdown(
            "Apply with " + "; ".join(apply) + ", or `tfgen plan SPEC --target kubernetes [--env ENV]` "
            "(`kubectl diff --server-side`) and `tfgen apply` (`kubectl apply --server-side`) on the current "
            "kubectl context. Argo CD and Flux can point at the same folders. Nothing is ever pruned: an "
            "object the spec stops rendering stays in the cluster until deleted by hand."
        )
    ]
    notes.append(
        markdown(
            f"Overlays are computed, not hand-written: each `overlays/ENV/` holds only JSON patches (and objects "
            f"or deletions) that turn the base into that environment's objects; validated against the "
            f"Kubernetes {KUBERNETES_VERSION} schema (strict) and scanned by Checkov after `kubectl kustomize`."
        )
    )
    if spec.container.secrets and s.secret_store:
        notes.append(
            markdown(
                f"The cluster needs the External Secrets Operator (>= 0.16, `{objects.EXTERNAL_SECRETS_API}`) and the "
                f"{s.secret_store['kind']} `{s.secret_store['name']}`; pods start once the operator has created the Secrets."
            )
        )
    elif spec.container.secrets:
        names = ", ".join(f"`{n}`" for n in sorted(set(spec.container.secrets.values())))
        notes.append(
            markdown(
                f"Create the Secrets {names} in the namespace before applying (each holds its value under the key "
                f"`{s.secret_key}`), or set `targets.kubernetes.secret_store` to sync them with External "
                f"Secrets; the manifests name them, never hold values."
            )
        )
    if s.image_pull_secrets:
        notes.append(
            markdown(
                "The image pull Secrets "
                + ", ".join(f"`{n}`" for n in s.image_pull_secrets)
                + " must exist in the namespace."
            )
        )
    if s.ingress:
        notes.append(
            markdown(
                f"The TLS Secret `{s.ingress['tls_secret']}` must exist in the namespace, and the ingress "
                f"controller run in `{s.ingress['controller_namespace']}` (the NetworkPolicy admits it)."
            )
        )
    if objects.uses_hpa(spec):
        target = spec.scaling.cpu_target if spec.scaling.cpu_target is not None else objects.DEFAULT_CPU_TARGET
        default = (
            "" if spec.scaling.cpu_target is not None else " (scaling.cpu_target unset: kubectl autoscale's default)"
        )
        notes.append(
            markdown(
                f"The HPA keeps average CPU at {target}% of the request{default}; the Deployment sets no "
                "`replicas`, so an apply never resets the count the HPA chose."
            )
        )
    if s.gpu_count:
        label_key, toleration = objects.GPU_PLACEMENT[s.cloud]
        notes.append(
            markdown(
                f"GPU pods run only on nodes labelled `{label_key}={s.gpu_type}` and tolerate the taint "
                f"`{toleration['key']}` (NoSchedule); the cluster needs the NVIDIA device plugin."
            )
        )
    identity_notes = {
        "eks": "EKS (IRSA): the IAM role's trust policy must allow `system:serviceaccount:NAMESPACE:{sa}` through the cluster's OIDC provider.",
        "gke": "GKE: grant `roles/iam.workloadIdentityUser` on the Google service account to "
        "`serviceAccount:PROJECT.svc.id.goog[NAMESPACE/{sa}]`; the NetworkPolicy admits the GKE metadata server.",
        "aks": "AKS: add a federated credential for `system:serviceaccount:NAMESPACE:{sa}` to the managed identity; the pods "
        "carry the `azure.workload.identity/use` label the webhook looks for.",
    }
    if s.identity:
        notes.append(markdown(identity_notes[s.cloud].format(sa=spec.service)))
    if spec.model is not None:
        notes.append(
            markdown(
                f"The model: `{spec.model.uri}` reaches the container as `{spec.model.env}`. These manifests "
                "hold no cloud IAM, so grant read access to exactly that "
                + ("prefix" if spec.model.is_prefix else "object")
                + " to the workload identity (`targets.kubernetes.identity`) in your cloud, as the "
                "other targets' modules do for their identities."
            )
        )
    deployment = next(o for o in c["objects"] if o["kind"] == "Deployment")
    probe = deployment["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
    notes.append(
        markdown(
            f"Probes: startup every {probe['periodSeconds']} s for up to {s.startup_seconds} s (the model-load "
            f"window, `targets.kubernetes.startup_seconds`); readiness and liveness every "
            f"{spec.container.health.interval} s on `{spec.container.health.path}` after that."
        )
    )
    writable = (
        ", ".join(f"`{p}`" for p in s.writable_paths) + " as emptyDir" if s.writable_paths else "no writable path"
    )
    notes.append(
        markdown(
            f"Security context: non-root (UID {s.run_as_user}), read-only root filesystem with {writable}, all "
            "capabilities dropped, RuntimeDefault seccomp, no privilege escalation; the namespace enforces "
            "the `restricted` Pod Security Standard."
        )
    )
    return ReadmeFacts(title=TITLE, creates=tuple(creates), notes=tuple(notes))


# ---------------------------------------------------------------- conformance variants

_IMAGE = "ghcr.io/example/model:1.0"
VARIANTS: dict[str, dict[str, Any]] = {
    "minimal": {
        "name": "k8s-minimal",
        "container": {"image": _IMAGE},
        "targets": {NAME: {}},
    },
    "public": {  # a LoadBalancer limited to source ranges
        "name": "k8s-public",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["203.0.113.0/24"]},
        "targets": {NAME: {"cloud": "eks", "identity": "arn:aws:iam::123456789012:role/k8s-public"}},
    },
    "public-ingress": {
        "name": "k8s-ingress",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "targets": {NAME: {"ingress": {"host": "model.example.com", "class_name": "nginx", "tls_secret": "model-tls"}}},
    },
    "gpu": {
        "name": "k8s-gpu",
        # the shared fields (resources.gpu, container.startup_seconds) in place of the target's own
        "container": {"image": _IMAGE, "startup_seconds": 600},
        "resources": {"cpu": 4, "memory": 16384, "gpu": {"type": "nvidia-l4", "count": 1}},
        "targets": {NAME: {"cloud": "gke"}},
    },
    "all-features": {
        "name": "k8s-full",
        "description": "every optional feature of kubernetes",
        "labels": {"team": "ml", "cost-center": "research-42"},
        "container": {
            "image": "registry.example.com/team/model@sha256:" + "a" * 64,
            "port": 9000,
            "command": ["python", "-m", "serve"],
            "args": ["--port", "9000"],
            "env": {"MODEL_PATH": "/models/m.bin", "WORKERS": "2"},
            "secrets": {"API_KEY": "model-api-key"},
            "health_check": {"path": "/ready", "interval": 20, "timeout": 4},
        },
        "resources": {"cpu": 2, "memory": 8192},
        "scaling": {"min": 2, "max": 8, "cpu_target": 60},
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "targets": {
            NAME: {
                "cloud": "aks",
                "identity": "0f0e0d0c-1234-5678-9abc-def012345678",
                "namespace": "ml-serving",
                "requests": {"cpu": 1, "memory": 4096},
                "gpu": {"type": "Standard_NC4as_T4_v3", "count": 1},
                "startup_seconds": 300,
                "ingress": {
                    "host": "model.example.com",
                    "class_name": "webapprouting.kubernetes.azure.com",
                    "tls_secret": "model-tls",
                    "controller_namespace": "app-routing-system",
                },
                "image_pull_secrets": ["registry-credentials"],
                "writable_paths": [DEFAULT_WRITABLE, "/home/app/.cache/huggingface"],
                "service_account_token": True,
                "egress": {"cidrs": ["10.0.0.0/8", "0.0.0.0/0"], "ports": [443, 5432]},
                "run_as_user": 20000,
                "secret_key": "api-key",
                "secret_store": {"name": "vault-backend", "kind": "ClusterSecretStore", "refresh_interval": "15m"},
            }
        },
        "model": {"uri": "gs://example-models/k8s-full/v1/model.pt"},
        "environments": {
            "dev": {
                "scaling": {"min": 1, "max": 1},
                "labels": {"tier": "dev"},
                "targets": {NAME: {"namespace": "ml-serving-dev"}},
            },
            "prod": {
                "scaling": {"min": 3, "max": 20},
                "resources": {"cpu": 4, "memory": 16384},
                "targets": {NAME: {"namespace": "ml-serving-prod"}},
            },
        },
    },
}


TARGET = Target(
    name=NAME,
    title=TITLE,
    template_dir=TEMPLATE_DIR,
    output=KUBERNETES_MANIFESTS,
    providers=(),
    schema=SCHEMA,
    defaults=DEFAULTS,
    check=check,
    context=context,
    readme=readme,
    files=files,
    all_environments_in_one_module=True,
    own_files=("generator/manifests/", "generator/outputs/kubernetes.py", "generator/runners/kubectl.py"),
    variants=VARIANTS,
)
