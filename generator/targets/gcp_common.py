"""What the Google Cloud targets share: spec checks, the model read grant, grants on named
resources, the log bucket and the alert policies of a service that runs on Cloud Run.

Nothing here names a target: the words that differ (what the user deploys, who reads
the model, the target's settings key) come in as parameters."""

from __future__ import annotations

from typing import Any

from ..model import Spec
from .base import Finding

LOG_RETENTION_MAX = 3650  # Cloud Logging buckets keep logs at most this many days
ALERT_WINDOW_S = 300  # how long a threshold must be crossed before an incident opens
ALIGNMENT = "60s"


def check_reserved_env(spec: Spec, platform: str, reserved: tuple[str, ...]) -> list[Finding]:
    """Variables the platform sets itself (`reserved`), and a variable both plain and secret."""
    found: list[Finding] = []
    for field in ("env", "secrets"):
        for key in sorted(set(getattr(spec.container, field)) & set(reserved)):
            found.append((("container", field, key), f"{platform} sets `{key}` itself; it cannot be set here"))
    for key in sorted(set(spec.container.env) & set(spec.container.secrets)):
        found.append(
            (("container", "secrets", key), f"`{key}` is also in container.env; a variable is either plain or a secret")
        )
    return found


def check_no_invokers_when_public(spec: Spec, target: str, deployed: str) -> list[Finding]:
    """A public `deployed` (e.g. service, function) is invokable by allUsers: listed invokers would mislead."""
    if not (spec.network.public and spec.target(target)["invokers"]):
        return []
    return [
        (
            ("targets", target, "invokers"),
            f"a public {deployed} is invokable by allUsers; remove `invokers` or set network.public: false",
        )
    ]


def key_location(kms_key: str) -> str:
    return kms_key.split("/")[3]  # projects/P/locations/L/keyRings/R/cryptoKeys/K


def check_key_location(spec: Spec, target: str, encrypted: str) -> list[Finding]:
    """CMEK needs a key in the region of what it encrypts (`encrypted`: those resources, in words)."""
    settings = spec.target(target)
    kms_key = settings.get("kms_key")
    if not kms_key or key_location(kms_key) == settings["region"]:
        return []
    return [
        (
            ("targets", target, "kms_key"),
            f"the key is in `{key_location(kms_key)}`; {encrypted} are in "
            f"`{settings['region']}`, and CMEK needs a key in the same location",
        )
    ]


def check_log_retention(spec: Spec) -> list[Finding]:
    if spec.observability.log_retention_days <= LOG_RETENTION_MAX:
        return []
    return [
        (
            ("observability", "log_retention_days"),
            f"Cloud Logging buckets keep logs at most {LOG_RETENTION_MAX} days",
        )
    ]


def model_read_grant(spec: Spec) -> dict[str, Any] | None:
    """Object read on the model's bucket, limited by an IAM condition to exactly the object or prefix.

    Listing is checked against the bucket, so a prefix also gets list, limited to
    that prefix by the `objectListPrefix` request attribute (as s3:prefix on AWS).
    """
    model = spec.model
    if model is None or model.scheme != "gs":
        return None
    objects = f"projects/_/buckets/{model.bucket}/objects/{model.key}"
    if model.is_prefix:
        expression = (
            f'resource.name.startsWith("{objects}") || (resource.type == "storage.googleapis.com/Bucket" && '
            f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{model.key}"))'
        )
        description = f"Read and list objects under {model.key} only"
    else:
        expression = f'resource.name == "{objects}"'
        description = f"Read the object {model.key} only"
    return {"bucket": model.bucket, "expression": expression, "description": description, "prefix": model.is_prefix}


def named_resource_grants(spec: Spec) -> dict[str, dict[str, dict[str, str]]]:
    """permissions.gcp by kind of named resource (bucket, topic, subscription, secret), each keyed `ROLE on NAME`
    (a target's iam.tf.j2 renders one for_each IAM member resource per kind)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for g in spec.permissions.gcp:
        out.setdefault(g["resource_type"], {})[f"{g['role']} on {g['name']}"] = {"name": g["name"], "role": g["role"]}
    return {kind: dict(sorted(grants.items())) for kind, grants in sorted(out.items())}


def alert_notify(spec: Spec, target: str) -> dict[str, list[str]]:
    """Who the alert policies tell: an email channel per address, and the target's existing channels."""
    return {
        "emails": list(spec.observability.notify_emails),
        "channels": list(spec.target(target).get("notification_channels", ())),
    }


def cloud_run_service_filter(service_name: str) -> str:
    """The monitoring and logging filter of one Cloud Run service (a 2nd-gen function runs as one too)."""
    return f'resource.type = "cloud_run_revision" AND resource.labels.service_name = "{service_name}"'


def log_bucket(spec: Spec, bucket_id: str, sink_name: str, subject: str, service_name: str) -> dict[str, Any]:
    """A log bucket keeping the service's logs for the spec's retention, its sink and the `_Default` exclusion
    (`subject`: what the logs are of, in words, e.g. the platform and the service's name)."""
    days = spec.observability.log_retention_days
    return {
        "bucket_id": bucket_id,
        "sink_name": sink_name,
        "exclusion_name": sink_name,
        "retention_days": days,
        "filter": cloud_run_service_filter(service_name),
        "description": f"Logs of {subject}, kept {days} days.",
        "exclusion_description": f"Logs of {subject} are kept in bucket {bucket_id} instead.",
    }


def _ratio(percent: float) -> float:
    return round(percent / 100, 6)


def _alert_policy(
    spec: Spec,
    service: str,
    subject: str,
    key,
    title,
    severity,
    metric,
    threshold,
    aligner,
    reducer,
    extra="",
    ratio_of=None,
    why="",
) -> dict[str, Any]:
    """One alert policy on a `run.googleapis.com/` metric of the service (`service`: its filter)."""
    return {
        "key": key,
        "display_name": f"{spec.name}: {title}",
        "severity": severity,
        "condition": {
            "filter": f'{service} AND metric.type = "run.googleapis.com/{metric}"{extra}',
            "threshold_value": threshold,
            "aggregation": {
                "alignment_period": ALIGNMENT,
                "per_series_aligner": aligner,
                "cross_series_reducer": reducer,
            },
            "denominator_filter": f'{service} AND metric.type = "run.googleapis.com/{ratio_of}"' if ratio_of else None,
        },
        "documentation": f"{why} for {ALERT_WINDOW_S // 60} minutes on {subject}.",
    }


def cloud_run_alerts(spec: Spec, service_name: str, subject: str, unit: str) -> list[dict[str, Any]]:
    """One alert policy per threshold the spec sets, in a fixed order (`subject`: the service in words, for the
    documentation; `unit`: what a utilisation is measured on, e.g. container or instance)."""
    thresholds = spec.observability.alarms
    service = cloud_run_service_filter(service_name)
    out = []

    def add(*args, **kwargs) -> None:
        out.append(_alert_policy(spec, service, subject, *args, **kwargs))

    pct: float
    if thresholds.cpu_percent is not None:
        pct = thresholds.cpu_percent
        add(
            "cpu",
            f"CPU above {pct}%",
            "WARNING",
            "container/cpu/utilizations",
            _ratio(pct),
            "ALIGN_MEAN",
            "REDUCE_MEAN",
            why=f"Mean {unit} CPU utilisation above {pct}%",
        )
    if thresholds.memory_percent is not None:
        pct = thresholds.memory_percent
        add(
            "memory",
            f"memory above {pct}%",
            "WARNING",
            "container/memory/utilizations",
            _ratio(pct),
            "ALIGN_MEAN",
            "REDUCE_MEAN",
            why=f"Mean {unit} memory utilisation above {pct}%",
        )
    if thresholds.error_rate_percent is not None:
        pct = thresholds.error_rate_percent
        add(
            "error_rate",
            f"5xx above {pct:g}% of requests",
            "ERROR",
            "request_count",
            _ratio(pct),
            "ALIGN_RATE",
            "REDUCE_SUM",
            extra=' AND metric.labels.response_code_class = "5xx"',
            ratio_of="request_count",
            why=f"5xx responses above {pct:g}% of requests",
        )
    if thresholds.latency_p99_ms is not None:
        ms = thresholds.latency_p99_ms
        # ALIGN_DELTA keeps each series a distribution; REDUCE_PERCENTILE_99 merges them, so this is
        # the p99 of all requests, not a maximum of per-revision p99s.
        add(
            "latency_p99",
            f"p99 latency above {ms} ms",
            "WARNING",
            "request_latencies",
            ms,
            "ALIGN_DELTA",
            "REDUCE_PERCENTILE_99",
            why=f"99th percentile request latency above {ms} ms",
        )
    return out


# -- schema fragments of the targets' settings (fresh dicts: each target's schema owns its own) --


def project_schema() -> dict[str, Any]:
    return {"type": "string", "pattern": "^[a-z][a-z0-9-]{4,28}[a-z0-9]$"}


def invokers_schema(deployed: str) -> dict[str, Any]:
    """Who may invoke a private `deployed` (e.g. service, function)."""
    return {
        "description": f"Members allowed to invoke a non-public {deployed} (user:, group:, serviceAccount:, domain:).",
        "type": "array",
        "uniqueItems": True,
        "items": {"type": "string", "pattern": "^(user|group|serviceAccount|domain):[A-Za-z0-9@._-]+$"},
        "default": [],
    }


def notification_channels_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "array",
        "uniqueItems": True,
        "maxItems": 16,
        "items": {
            "type": "string",
            "pattern": "^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/notificationChannels/[0-9]+$",
        },
    }


def vpc_connector_schema() -> dict[str, Any]:
    return {
        "description": "Existing Serverless VPC Access connector id (projects/P/locations/R/connectors/C), "
        "used when network.vpc is existing.",
        "type": "string",
        "pattern": "^projects/[a-z][a-z0-9-]+/locations/[a-z0-9-]+/connectors/[a-z][a-z0-9-]*$",
    }


def kms_key_schema() -> dict[str, Any]:
    return {
        "description": "Cloud KMS key for CMEK (projects/P/locations/L/keyRings/R/cryptoKeys/K).",
        "type": "string",
        "pattern": "^projects/[a-z][a-z0-9-]+/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]+/cryptoKeys/[A-Za-z0-9_-]+$",
    }


def all_features_permissions() -> dict[str, Any]:
    """The `permissions` of an all-features variant: metrics and a grant on each kind of named resource."""
    return {
        "capabilities": ["metrics"],
        "gcp": [
            {"role": "roles/storage.objectCreator", "resource_type": "bucket", "name": "example-predictions"},
            {"role": "roles/pubsub.publisher", "resource_type": "topic", "name": "predictions"},
            {"role": "roles/pubsub.subscriber", "resource_type": "subscription", "name": "feedback"},
            {"role": "roles/secretmanager.secretAccessor", "resource_type": "secret", "name": "feature-store-token"},
        ],
    }
