"""Google Cloud Run (v2 service): limits and the template context."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import common
from .base import Provider, Target

NAME = "gcp-cloud-run"

CPUS = (1.0, 2.0, 4.0, 6.0, 8.0)
MEMORY_MIN, MEMORY_MAX = 512, 32768
# memory above the key (MiB) needs at least this many vCPU
MIN_CPU_FOR_MEMORY = ((24576, 8), (16384, 6), (8192, 4), (4096, 2))
# vCPU -> the least memory (MiB) Cloud Run accepts with it
MIN_MEMORY_FOR_CPU = {4.0: 2048, 6.0: 4096, 8.0: 4096}
LOG_RETENTION_MAX = 3650
# Direct VPC egress takes instance addresses from the subnet: at least a /26.
DIRECT_EGRESS_MAX_PREFIX = 26
# A startup probe may run at most this long (failure_threshold x period_seconds).
STARTUP_WINDOW_S = 240
STARTUP_PERIOD_S = 10
LIVENESS_FAILURES = 3
# Cloud Run sets these itself and rejects a revision that sets them.
RESERVED_ENV = ("PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION")

ALERT_WINDOW_S = 300  # how long a threshold must be crossed before an incident opens
ALIGNMENT = "60s"


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(spec, 26, "the service account id `<name>-run` is at most 30 characters")
    found += common.check_no_cpu_target(spec, "Cloud Run", "it scales on request concurrency and a fixed CPU target")
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu not in CPUS:
        found.append((("resources", "cpu"), f"Cloud Run supports cpu {', '.join(f'{c:g}' for c in CPUS)}; got {cpu:g}"))
    if not MEMORY_MIN <= memory <= MEMORY_MAX:
        found.append((("resources", "memory"), f"Cloud Run memory is {MEMORY_MIN}-{MEMORY_MAX} MiB; got {memory}"))
    else:
        for above, least in MIN_CPU_FOR_MEMORY:
            if memory > above and cpu < least:
                found.append((("resources", "cpu"), f"Cloud Run needs at least {least} vCPU for more than {above} MiB of memory"))
                break
        if memory < MIN_MEMORY_FOR_CPU.get(cpu, 0):
            found.append((("resources", "memory"), f"Cloud Run needs at least {MIN_MEMORY_FOR_CPU[cpu]} MiB with {cpu:g} vCPU"))
    found += _check_env(spec)
    found += _check_network(spec, settings)
    found += common.check_any_source_only(spec, "Cloud Run")
    if spec.network.public and settings["invokers"]:
        found.append((("targets", NAME, "invokers"),
                      "a public service is invokable by allUsers; remove `invokers` or set network.public: false"))
    kms_key = settings.get("kms_key")
    if kms_key and _key_location(kms_key) != settings["region"]:
        found.append((("targets", NAME, "kms_key"),
                      f"the key is in `{_key_location(kms_key)}`; the service and its log bucket are in "
                      f"`{settings['region']}`, and CMEK needs a key in the same location"))
    if spec.observability.log_retention_days > LOG_RETENTION_MAX:
        found.append((("observability", "log_retention_days"), f"Cloud Logging buckets keep logs at most {LOG_RETENTION_MAX} days"))
    return found


def _check_env(spec: Spec) -> list[common.Finding]:
    found: list[common.Finding] = []
    for field in ("env", "secrets"):
        for key in sorted(set(getattr(spec.container, field)) & set(RESERVED_ENV)):
            found.append((("container", field, key), f"Cloud Run sets `{key}` itself; it cannot be set here"))
    for key in sorted(set(spec.container.env) & set(spec.container.secrets)):
        found.append((("container", "secrets", key), f"`{key}` is also in container.env; a variable is either plain or a secret"))
    return found


def _check_network(spec: Spec, settings) -> list[common.Finding]:
    if spec.network.vpc == "existing":
        if "vpc_connector" not in settings:
            return [(("targets", NAME), "network.vpc is `existing`: give `vpc_connector`")]
        return []
    found: list[common.Finding] = []
    if "vpc_connector" in settings:
        found.append((("targets", NAME, "vpc_connector"),
                      "only used when network.vpc is `existing`; remove it or set network.vpc: existing"))
    prefix = ipaddress.ip_network(spec.network.cidr, strict=False).prefixlen
    if prefix > DIRECT_EGRESS_MAX_PREFIX:
        found.append((("network", "cidr"),
                      f"Direct VPC egress needs a subnet of /{DIRECT_EGRESS_MAX_PREFIX} or larger; got /{prefix}"))
    return found


def _key_location(kms_key: str) -> str:
    return kms_key.split("/")[3]  # projects/P/locations/L/keyRings/R/cryptoKeys/K


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    name = spec.name
    return {
        **common.base_context(spec),
        "project": settings["project"],
        "region": settings["region"],
        "account_id": f"{name}-run",
        "account_display_name": f"{name} Cloud Run runtime",
        "ingress": "INGRESS_TRAFFIC_ALL" if spec.network.public else "INGRESS_TRAFFIC_INTERNAL_ONLY",
        "invokers": ["allUsers"] if spec.network.public else sorted(settings["invokers"]),
        "limits": {"cpu": f"{spec.resources.cpu:g}", "memory": f"{spec.resources.memory}Mi"},
        "env": sorted(spec.container.env.items()),
        "secret_env": sorted(spec.container.secrets.items()),
        "secret_names": sorted(set(spec.container.secrets.values())),
        "probes": probes(spec),
        "vpc": _vpc(spec, settings),
        "kms_key": settings.get("kms_key"),
        "logs": _logs(spec),
        "alerts": alerts(spec),
        "alert_window": f"{ALERT_WINDOW_S}s",
    }


def probes(spec: Spec) -> dict[str, dict[str, int]]:
    """Startup and liveness probes from the one health check.

    The startup probe polls often and for Cloud Run's whole 240 s window, so a
    model that takes minutes to load is not killed; the liveness probe keeps
    the spec's interval and timeout.
    """
    health = spec.container.health
    period = max(STARTUP_PERIOD_S, health.timeout)
    return {
        "startup": {"period_seconds": period, "timeout_seconds": health.timeout,
                    "failure_threshold": STARTUP_WINDOW_S // period},
        "liveness": {"period_seconds": health.interval, "timeout_seconds": health.timeout,
                     "failure_threshold": LIVENESS_FAILURES},
    }


def _vpc(spec: Spec, settings) -> dict[str, Any]:
    if spec.network.vpc == "existing":
        return {"mode": "existing", "connector": settings["vpc_connector"]}
    return {"mode": "create", "network_name": f"{spec.name}-net", "subnet_name": f"{spec.name}-run",
            "firewall_name": f"{spec.name}-deny-ingress", "cidr": spec.network.cidr}


def _service_filter(spec: Spec) -> str:
    return f'resource.type = "cloud_run_revision" AND resource.labels.service_name = "{spec.name}"'


def _logs(spec: Spec) -> dict[str, Any]:
    bucket_id = f"{spec.name}-logs"
    return {
        "bucket_id": bucket_id,
        "sink_name": f"{spec.name}-run-logs",
        "exclusion_name": f"{spec.name}-run-logs",
        "retention_days": spec.observability.log_retention_days,
        "filter": _service_filter(spec),
        "description": f"Logs of Cloud Run service {spec.name}, kept {spec.observability.log_retention_days} days.",
        "exclusion_description": f"Logs of Cloud Run service {spec.name} are kept in bucket {bucket_id} instead.",
    }


def alerts(spec: Spec) -> list[dict[str, Any]]:
    """One alert policy per threshold the spec sets, in a fixed order."""
    thresholds = spec.observability.alarms
    service = _service_filter(spec)
    out = []

    def add(key, title, severity, metric, threshold, aligner, reducer, extra="", ratio_of=None, why=""):
        condition = {
            "filter": f'{service} AND metric.type = "run.googleapis.com/{metric}"{extra}',
            "threshold_value": threshold,
            "aggregation": {"alignment_period": ALIGNMENT, "per_series_aligner": aligner, "cross_series_reducer": reducer},
            "denominator_filter": f'{service} AND metric.type = "run.googleapis.com/{ratio_of}"' if ratio_of else None,
        }
        out.append({"key": key, "display_name": f"{spec.name}: {title}", "severity": severity,
                    "condition": condition, "documentation": f"{why} for {ALERT_WINDOW_S // 60} minutes on Cloud Run service {spec.name}."})

    if thresholds.cpu_percent is not None:
        pct = thresholds.cpu_percent
        add("cpu", f"CPU above {pct}%", "WARNING", "container/cpu/utilizations", _ratio(pct),
            "ALIGN_MEAN", "REDUCE_MEAN", why=f"Mean container CPU utilisation above {pct}%")
    if thresholds.memory_percent is not None:
        pct = thresholds.memory_percent
        add("memory", f"memory above {pct}%", "WARNING", "container/memory/utilizations", _ratio(pct),
            "ALIGN_MEAN", "REDUCE_MEAN", why=f"Mean container memory utilisation above {pct}%")
    if thresholds.error_rate_percent is not None:
        pct = thresholds.error_rate_percent
        add("error_rate", f"5xx above {pct:g}% of requests", "ERROR", "request_count", _ratio(pct),
            "ALIGN_RATE", "REDUCE_SUM", extra=' AND metric.labels.response_code_class = "5xx"',
            ratio_of="request_count", why=f"5xx responses above {pct:g}% of requests")
    if thresholds.latency_p99_ms is not None:
        ms = thresholds.latency_p99_ms
        # ALIGN_DELTA keeps each series a distribution; REDUCE_PERCENTILE_99 merges them, so this is
        # the p99 of all requests, not a maximum of per-revision p99s.
        add("latency_p99", f"p99 latency above {ms} ms", "WARNING", "request_latencies", ms,
            "ALIGN_DELTA", "REDUCE_PERCENTILE_99", why=f"99th percentile request latency above {ms} ms")
    return out


def _ratio(percent: float) -> float:
    return round(percent / 100, 6)


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["project", "region"],
    "properties": {
        "project": {"type": "string", "pattern": "^[a-z][a-z0-9-]{4,28}[a-z0-9]$"},
        "region": {"$ref": "#/$defs/region"},
        "invokers": {
            "description": "Members allowed to invoke a non-public service (user:, group:, serviceAccount:, domain:).",
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^(user|group|serviceAccount|domain):[A-Za-z0-9@._-]+$"},
            "default": [],
        },
        "vpc_connector": {
            "description": "Existing Serverless VPC Access connector id (projects/P/locations/R/connectors/C), "
                           "used when network.vpc is existing.",
            "type": "string",
            "pattern": "^projects/[a-z][a-z0-9-]+/locations/[a-z0-9-]+/connectors/[a-z][a-z0-9-]*$",
        },
        "kms_key": {
            "description": "Cloud KMS key for CMEK (projects/P/locations/L/keyRings/R/cryptoKeys/K).",
            "type": "string",
            "pattern": "^projects/[a-z][a-z0-9-]+/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]+/cryptoKeys/[A-Za-z0-9_-]+$",
        },
    },
}

_IMAGE = "ghcr.io/example/model:1.0"
VARIANTS = {
    "minimal": {
        "name": "run-minimal",
        "container": {"image": _IMAGE},
        "targets": {NAME: {"project": "ml-serving-demo", "region": "europe-west1"}},
    },
    "public": {
        "name": "run-public",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "targets": {NAME: {"project": "ml-serving-demo", "region": "europe-west1"}},
    },
    "existing-network": {
        "name": "run-existing",
        "container": {"image": _IMAGE},
        "network": {"vpc": "existing"},
        "targets": {NAME: {"project": "ml-serving-demo", "region": "europe-west1",
                           "vpc_connector": "projects/ml-net/locations/europe-west1/connectors/shared"}},
    },
    "all-features": {
        "name": "run-full",
        "description": "every optional feature of gcp-cloud-run",
        "labels": {"team": "ml"},
        "container": {"image": "europe-west1-docker.pkg.dev/ml/models/api:2.0.0", "port": 9000,
                      "command": ["python", "-m", "serve"], "args": ["--port", "9000"],
                      "env": {"MODE": "strict"}, "secrets": {"API_KEY": "run-api-key"},
                      "health_check": {"path": "/ready", "interval": 20, "timeout": 4}},
        "resources": {"cpu": 2, "memory": 4096},
        "scaling": {"min": 1, "max": 10, "concurrency": 40},
        "network": {"cidr": "10.50.0.0/20"},
        "observability": {"log_retention_days": 90, "tracing": True, "alarms": {
            "cpu_percent": 80, "memory_percent": 80, "error_rate_percent": 2.5, "latency_p99_ms": 900}},
        "targets": {NAME: {"project": "ml-serving-demo", "region": "europe-west1",
                           "invokers": ["group:ml-clients@example.com"],
                           "kms_key": "projects/ml-keys/locations/europe-west1/keyRings/run/cryptoKeys/api"}},
        "state": {"backend": "gcs", "bucket": "example-tfstate", "prefix": "run-full"},
    },
}

TARGET = Target(
    name=NAME,
    title="Google Cloud Run",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(Provider("google", "hashicorp/google", ">= 7.9.0, < 8.0.0"),),
    schema=SCHEMA,
    defaults={"invokers": []},
    check=check,
    context=context,
    variants=VARIANTS,
)
