"""Google Cloud Run (v2 service): limits and the template context."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import common, gcp_common
from .base import Provider, ReadmeFacts, Starter, StarterQuestion, Target, markdown, yaml_scalar

NAME = "gcp-cloud-run"

CPUS = (1.0, 2.0, 4.0, 6.0, 8.0)
MEMORY_MIN, MEMORY_MAX = 512, 32768
# memory above the key (MiB) needs at least this many vCPU
MIN_CPU_FOR_MEMORY = ((24576, 8), (16384, 6), (8192, 4), (4096, 2))
# vCPU -> the least memory (MiB) Cloud Run accepts with it
MIN_MEMORY_FOR_CPU = {4.0: 2048, 6.0: 4096, 8.0: 4096}
# Direct VPC egress takes instance addresses from the subnet: at least a /26.
DIRECT_EGRESS_MAX_PREFIX = 26
# A startup probe may run at most this long (failure_threshold x period_seconds).
STARTUP_WINDOW_S = 240
STARTUP_PERIOD_S = 10
LIVENESS_FAILURES = 3
# The startup probe may also wait up to this long before its first check, so the longest
# model-load window is STARTUP_WINDOW_S + STARTUP_DELAY_MAX_S.
STARTUP_DELAY_MAX_S = 240

# Cloud Run GPUs (resources.gpu): the one type, one per instance, and the instance size it needs.
GPU_TYPES = ("nvidia-l4",)
GPU_COUNT = 1
GPU_MIN_CPU = 4
GPU_MIN_MEMORY = 16384
# Cloud Run sets these itself and rejects a revision that sets them.
RESERVED_ENV = ("PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION")


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
                found.append(
                    (("resources", "cpu"), f"Cloud Run needs at least {least} vCPU for more than {above} MiB of memory")
                )
                break
        if memory < MIN_MEMORY_FOR_CPU.get(cpu, 0):
            found.append(
                (("resources", "memory"), f"Cloud Run needs at least {MIN_MEMORY_FOR_CPU[cpu]} MiB with {cpu:g} vCPU")
            )
    found += gcp_common.check_reserved_env(spec, "Cloud Run", RESERVED_ENV)
    found += _check_gpu(spec)
    found += common.check_compute(
        spec,
        "Cloud Run",
        startup_max=STARTUP_WINDOW_S + STARTUP_DELAY_MAX_S,
        startup_why=f"a startup probe checks for at most {STARTUP_WINDOW_S} s after an initial delay of at most {STARTUP_DELAY_MAX_S} s",
        arm64="Cloud Run runs linux/amd64 images only",
        spot="Cloud Run has no Spot capacity",
    )
    found += _check_network(spec, settings)
    found += common.check_any_source_only(spec, "Cloud Run")
    found += gcp_common.check_no_invokers_when_public(spec, NAME, "service")
    found += gcp_common.check_key_location(spec, NAME, "the service and its log bucket")
    found += gcp_common.check_log_retention(spec)
    found += common.check_model_readable(spec, NAME, "gs", "Cloud Run's service account")
    return found


def _check_network(spec: Spec, settings) -> list[common.Finding]:
    if spec.network.vpc == "existing":
        if "vpc_connector" not in settings:
            return [(("targets", NAME), "network.vpc is `existing`: give `vpc_connector`")]
        return []
    found: list[common.Finding] = []
    if "vpc_connector" in settings:
        found.append(
            (
                ("targets", NAME, "vpc_connector"),
                "only used when network.vpc is `existing`; remove it or set network.vpc: existing",
            )
        )
    prefix = ipaddress.ip_network(spec.network.cidr, strict=False).prefixlen
    if prefix > DIRECT_EGRESS_MAX_PREFIX:
        found.append(
            (
                ("network", "cidr"),
                f"Direct VPC egress needs a subnet of /{DIRECT_EGRESS_MAX_PREFIX} or larger; got /{prefix}",
            )
        )
    return found


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
        "limits": {
            "cpu": f"{spec.resources.cpu:g}",
            "memory": f"{spec.resources.memory}Mi",
            **({"nvidia.com/gpu": str(spec.resources.gpu.count)} if spec.resources.gpu else {}),
        },
        "gpu": spec.resources.gpu.type if spec.resources.gpu else None,
        "memory": spec.resources.memory,
        "scaling": {"min": spec.scaling.min, "max": spec.scaling.max, "concurrency": spec.scaling.concurrency},
        "container": {
            "image": spec.container.image,
            "command": spec.container.command,
            "args": spec.container.args,
            "port": spec.container.port,
            "health_path": spec.container.health.path,
        },
        "public": spec.network.public,
        "tracing": spec.observability.tracing,
        "env": sorted(spec.container.env.items()),
        "secret_env": sorted(spec.container.secrets.items()),
        "secret_names": sorted(set(spec.container.secrets.values())),
        "probes": probes(spec),
        "vpc": _vpc(spec, settings),
        "kms_key": settings.get("kms_key"),
        "logs": _logs(spec),
        "alerts": alerts(spec),
        "alert_window": f"{gcp_common.ALERT_WINDOW_S}s",
        "notify": gcp_common.alert_notify(spec, NAME),
        "apis": _apis(spec),
        "skip": {},  # every Checkov check that applies passes
        "model": gcp_common.model_read_grant(spec),
        "metrics": "metrics" in spec.permissions.capabilities,
        "grants": gcp_common.named_resource_grants(spec),
    }


def _check_gpu(spec: Spec) -> list[common.Finding]:
    gpu = spec.resources.gpu
    if gpu is None:
        return []
    found: list[common.Finding] = []
    if gpu.type not in GPU_TYPES:
        found.append(
            (("resources", "gpu", "type"), f"Cloud Run offers GPU type {', '.join(GPU_TYPES)}; got `{gpu.type}`")
        )
    if gpu.count != GPU_COUNT:
        found.append(
            (("resources", "gpu", "count"), f"Cloud Run attaches {GPU_COUNT} GPU per instance; got {gpu.count}")
        )
    if spec.resources.cpu < GPU_MIN_CPU:
        found.append(
            (
                ("resources", "cpu"),
                f"a Cloud Run GPU instance needs at least {GPU_MIN_CPU} vCPU; got {spec.resources.cpu:g}",
            )
        )
    if spec.resources.memory < GPU_MIN_MEMORY:
        found.append(
            (
                ("resources", "memory"),
                f"a Cloud Run GPU instance needs at least {GPU_MIN_MEMORY} MiB; got {spec.resources.memory}",
            )
        )
    return found


def probes(spec: Spec) -> dict[str, dict[str, int]]:
    """Startup and liveness probes from the one health check.

    The startup probe polls often and for Cloud Run's whole 240 s window, so a
    model that takes minutes to load is not killed; the liveness probe keeps
    the spec's interval and timeout.
    """
    health = spec.container.health
    period = max(STARTUP_PERIOD_S, health.timeout)
    startup = spec.container.startup_seconds or 0
    # A model-load window beyond the probe's own 240 s is waited out before the first check.
    delay = {"initial_delay_seconds": startup - STARTUP_WINDOW_S} if startup > STARTUP_WINDOW_S else {}
    return {
        "startup": {
            **delay,
            "period_seconds": period,
            "timeout_seconds": health.timeout,
            "failure_threshold": STARTUP_WINDOW_S // period,
        },
        "liveness": {
            "period_seconds": health.interval,
            "timeout_seconds": health.timeout,
            "failure_threshold": LIVENESS_FAILURES,
        },
    }


def _apis(spec: Spec) -> list[str]:
    """The Google APIs the module's resources call (issue 13 #13), for google_project_service."""
    apis = {"run.googleapis.com", "iam.googleapis.com", "logging.googleapis.com"}
    if spec.network.vpc == "existing":
        apis.add("vpcaccess.googleapis.com")
    else:
        apis.add("compute.googleapis.com")
    if spec.container.secrets:
        apis.add("secretmanager.googleapis.com")
    if alerts(spec):
        apis.add("monitoring.googleapis.com")
    if spec.observability.tracing:
        apis.add("cloudtrace.googleapis.com")
    return sorted(apis)


def _vpc(spec: Spec, settings) -> dict[str, Any]:
    if spec.network.vpc == "existing":
        return {"mode": "existing", "connector": settings["vpc_connector"]}
    return {
        "mode": "create",
        "network_name": f"{spec.name}-net",
        "subnet_name": f"{spec.name}-run",
        "firewall_name": f"{spec.name}-deny-ingress",
        "cidr": spec.network.cidr,
    }


def _logs(spec: Spec) -> dict[str, Any]:
    return gcp_common.log_bucket(
        spec, f"{spec.name}-logs", f"{spec.name}-run-logs", f"Cloud Run service {spec.name}", spec.name
    )


def alerts(spec: Spec) -> list[dict[str, Any]]:
    """One alert policy per threshold the spec sets, in a fixed order."""
    return gcp_common.cloud_run_alerts(spec, spec.name, f"Cloud Run service {spec.name}", "container")


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know, from its template context `c`.

    Items are tfgen's own Markdown; the user values in them match the spec's safe patterns.
    """
    scaling, vpc, logs, kms_key, alerts = c["scaling"], c["vpc"], c["logs"], c["kms_key"], c["alerts"]
    probes, invokers = c["probes"], c["invokers"]
    creates = [
        f"Cloud Run v2 service `{c['name']}` in `{c['region']}` (project `{c['project']}`): {c['limits']['cpu']} vCPU, "
        f"{c['memory']} MiB, {scaling['min']}-{scaling['max']} instances"
        + (
            f", at most {scaling['concurrency']} concurrent requests each" if scaling["concurrency"] is not None else ""
        ),
        f"runtime service account `{c['account_id']}`"
        + (
            f", allowed to read only the Secret Manager secrets `{'`, `'.join(c['secret_names'])}`"
            if c["secret_names"]
            else ", with no roles"
        ),
        f"`roles/run.invoker` for `{'`, `'.join(invokers)}`" if invokers else "no invoker binding (see notes)",
        *(
            [
                f"`roles/storage.objectViewer` on bucket `{c['model']['bucket']}` for the service account, limited by an IAM "
                f"condition to the model ({c['model']['description'].lower()})"
            ]
            if c["model"]
            else []
        ),
        *(
            [
                "`roles/monitoring.metricWriter` on the project for the service account (`permissions.capabilities`: metrics)"
            ]
            if c["metrics"]
            else []
        ),
        *(
            [
                "`roles/cloudtrace.agent` on the project for the service account (`observability.tracing`: writes spans, "
                "reads none)"
            ]
            if c["tracing"]
            else []
        ),
        "the APIs it calls enabled in the project (`google_project_service`, left enabled on destroy): "
        + ", ".join(f"`{api}`" for api in c["apis"]),
        *[
            f"`{g['role']}` on {kind} `{g['name']}` for the service account (`permissions.gcp`)"
            for kind, grants in c["grants"].items()
            for g in grants.values()
        ],
        f"VPC network `{vpc['network_name']}`, subnet `{vpc['subnet_name']}` (`{vpc['cidr']}`, Private Google Access, flow logs) "
        "and a logged deny-all ingress firewall rule; the service reaches private ranges through Direct VPC egress"
        if vpc["mode"] == "create"
        else f"egress to private ranges through the existing Serverless VPC Access connector `{vpc['connector']}`",
        f"log bucket `{logs['bucket_id']}` keeping this service's logs {logs['retention_days']} days, a sink routing them there "
        "and a `_Default` exclusion",
    ]
    if kms_key:
        creates.append(
            f"CMEK with `{kms_key}` on the revision and the log bucket, and `roles/cloudkms.cryptoKeyEncrypterDecrypter` "
            "on it for the Cloud Run service agent and Cloud Logging"
        )
    if alerts:
        creates.append(f"alert policies `{'`, `'.join(a['key'] for a in alerts)}` (who they notify: see the notes)")
    notes = [
        f"Secure defaults: internal-only ingress unless `network.public` (here `{c['ingress']}`); a dedicated service account "
        "holding only `roles/secretmanager.secretAccessor` on the secrets the container names; secrets reach the container as "
        "Secret Manager references (`secret_key_ref`, version `latest`), never values; `roles/run.invoker` only for the listed "
        "members (`allUsers` only when `network.public`); egress to private ranges only through the VPC; service logs kept for "
        "the spec's retention; deletion protection on.",
        "Checkov has no check for `google_cloud_run_v2_service` or its IAM members (CKV_GCP_102 covers only the v1 "
        "`google_cloud_run_service_iam_*`): the checks that run here cover only the supporting resources ("
        + ("network, subnetwork, firewall, log sink" if vpc["mode"] == "create" else "the log sink")
        + (", key grants" if kms_key else "")
        + "), so the defaults above carry the weight for the service itself.",
        (
            "`cpu_idle = false`: a GPU instance (`resources.gpu`) keeps its CPU allocated and is billed while it runs; one "
            f"`{c['gpu']}` GPU per instance (node selector and `nvidia.com/gpu` limit), zonal redundancy off "
            "(`gpu_zonal_redundancy_disabled`: no standby capacity in a second zone, so no extra GPU quota); "
            if c["gpu"]
            else "`cpu_idle = true`: billed per request, since the model server works inside requests; "
        )
        + "`startup_cpu_boost = true`: more "
        "CPU while a new instance loads its model. Second-generation execution environment, for the full Linux compatibility "
        "ML libraries expect.",
        "Probes from `container.health_check`: startup every "
        + (
            f"{probes['startup']['period_seconds']} s for up to 240 s after a {probes['startup']['initial_delay_seconds']} s "
            "delay (`container.startup_seconds`; Cloud Run's limits are 240 s each)"
            if "initial_delay_seconds" in probes["startup"]
            else f"{probes['startup']['period_seconds']} s for up to 240 s (Cloud Run's limit)"
        )
        + f", so a slow model load is not killed; liveness every {probes['liveness']['period_seconds']} s, timeout "
        f"{probes['liveness']['timeout_seconds']} s, restart after {probes['liveness']['failure_threshold']} failures.",
        "How spans leave: Cloud Run sends a sample of requests to Cloud Trace by itself, and the spans the application "
        "exports (an OpenTelemetry or Cloud Trace exporter calling the Cloud Trace API with the service account's "
        "credentials from the metadata server) are accepted because the service account holds `roles/cloudtrace.agent`."
        if c["tracing"]
        else "`observability.tracing` is false, but Cloud Run always samples requests into Cloud Trace and has no per-service switch; "
        "disable the Cloud Trace API in the project to stop it.",
        "Cloud Run ingress cannot filter by source address, so `network.allowed_cidrs` is not applied: internal ingress admits "
        "requests from VPC networks of this project (and Shared VPC or VPC Service Controls perimeters), and callers still need "
        "`roles/run.invoker`."
        if not c["public"]
        else "`network.public`: anyone may invoke the service (`allUsers`); an organisation policy restricting member domains "
        "(`iam.allowedPolicyMemberDomains`) rejects that binding.",
    ]
    if c["model"] and spec.model is not None:
        notes.append(
            f"The model (`{spec.model.uri}`) reaches the container as `{spec.model.env}`; the server downloads it with "
            "the service account. The IAM condition works only on a bucket with uniform bucket-level access. Cloud Run "
            "can instead mount the bucket read-only as a volume (Cloud Storage FUSE: a `volumes { gcs { bucket, "
            "read_only = true } }` block and a `volume_mounts` entry in the container), which needs the same grant; "
            "tfgen passes the URI so the same server code works on every target."
        )
    if not invokers:
        notes.append(
            "No invokers are listed: only principals holding `roles/run.invoker` on the project (or above) can call "
            "the service."
        )
    notes.append(
        f"Logs: the sink routes this service's logs to `{logs['bucket_id']}` in `{c['region']}` and the exclusion keeps "
        "`_Default` from holding a second, 30-day copy. A deleted bucket stays reserved for 7 days, so its id cannot be "
        "reused at once."
    )
    notes.append(
        "CMEK covers the container image Cloud Run keeps and the log bucket; service metadata such as environment "
        "variables stays Google-encrypted."
        if kms_key
        else f"No `kms_key`: Google-managed encryption at rest. Set `targets.{NAME}.kms_key` for CMEK on the revision "
        "and the log bucket."
    )
    if alerts:
        emails, channels = c["notify"]["emails"], c["notify"]["channels"]
        told = (
            [f"an email channel for each of the {len(emails)} address(es) in `observability.notify_emails`"]
            if emails
            else []
        ) + ([f"the {len(channels)} channel(s) in `targets.{NAME}.notification_channels`"] if channels else [])
        notes.append(
            "Alerts notify "
            + (
                " and ".join(told) + ", plus any in `var.notification_channels`"
                if told
                else "nobody yet: set `observability.notify_emails` or `targets." + NAME + ".notification_channels` "
                "(or `var.notification_channels`); until then incidents show only in the Cloud Monitoring console"
            )
            + "."
        )
    notes.append(
        "`deletion_protection` is on by default: before destroying, apply once with it off - `tfgen plan SPEC "
        "--target gcp-cloud-run --var deletion_protection=false` then `tfgen apply` (or `terraform apply -var "
        "deletion_protection=false`) - then `tfgen destroy`."
    )
    return ReadmeFacts("Google Cloud Run", tuple(map(markdown, creates)), tuple(map(markdown, notes)))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["project", "region"],
    "properties": {
        "project": gcp_common.project_schema(),
        "region": {"$ref": "#/$defs/region"},
        "invokers": gcp_common.invokers_schema("service"),
        "notification_channels": gcp_common.notification_channels_schema(
            "Existing Cloud Monitoring notification channels (projects/P/notificationChannels/N) every "
            "alert policy notifies, besides observability.notify_emails."
        ),
        "vpc_connector": gcp_common.vpc_connector_schema(),
        "kms_key": gcp_common.kms_key_schema(),
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
        "targets": {
            NAME: {
                "project": "ml-serving-demo",
                "region": "europe-west1",
                "vpc_connector": "projects/ml-net/locations/europe-west1/connectors/shared",
            }
        },
    },
    "all-features": {
        "name": "run-full",
        "description": "every optional feature of gcp-cloud-run",
        "labels": {"team": "ml"},
        "container": {
            "image": "europe-west1-docker.pkg.dev/ml/models/api:2.0.0",
            "port": 9000,
            "command": ["python", "-m", "serve"],
            "args": ["--port", "9000"],
            "env": {"MODE": "strict"},
            "secrets": {"API_KEY": "run-api-key"},
            "health_check": {"path": "/ready", "interval": 20, "timeout": 4},
            "startup_seconds": 400,
            "writable_paths": ["/tmp", "/home/app/.cache/huggingface"],
        },
        "resources": {"cpu": 4, "memory": 16384, "gpu": {"type": "nvidia-l4", "count": 1}},
        "scaling": {"min": 1, "max": 10, "concurrency": 40},
        "network": {"cidr": "10.50.0.0/20"},
        "observability": {
            "log_retention_days": 90,
            "tracing": True,
            "alarms": {"cpu_percent": 80, "memory_percent": 80, "error_rate_percent": 2.5, "latency_p99_ms": 900},
            "notify_emails": ["oncall@example.com"],
        },
        "targets": {
            NAME: {
                "project": "ml-serving-demo",
                "region": "europe-west1",
                "invokers": ["group:ml-clients@example.com"],
                "notification_channels": ["projects/ml-serving-demo/notificationChannels/1234567890"],
                "kms_key": "projects/ml-keys/locations/europe-west1/keyRings/run/cryptoKeys/api",
                "resources": {"memory": 24576, "cpu": 6},
            }
        },
        "model": {"uri": "gs://example-models/run-full/v3/"},
        "permissions": gcp_common.all_features_permissions(),
        "state": {"backend": "gcs", "bucket": "example-tfstate", "prefix": "run-full"},
    },
}

_PROJECT_HINT = "6-30 characters [a-z0-9-], starting with a letter"
STARTER = Starter(
    questions=(
        StarterQuestion(
            "gcp-project",
            f"Google Cloud project ({_PROJECT_HINT})",
            f"Google Cloud project id for {NAME} ({_PROJECT_HINT}).",
        ),
    ),
    settings=lambda answers: [
        f"    project: {yaml_scalar(answers['gcp-project'])}",
        f"    region: {yaml_scalar('europe-west1')}",
        '    # invokers: ["group:ml-clients@example.com"]  # who may call a private service',
    ],
)

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
    readme=readme,
    variants=VARIANTS,
    starter=STARTER,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, bool(alerts(spec)), "notification_channels"),
    permission_cloud="gcp",
)
