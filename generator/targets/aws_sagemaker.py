"""Amazon SageMaker real-time (or serverless) inference endpoints: limits and the template context.

One model (the spec's container image and its model.tar.gz in S3), one endpoint
configuration with one production variant, one endpoint with blue/green
deployments that roll back on the module's own alarms, instance-count
autoscaling and the alarms themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import aws_common, common
from .base import EmulatorDrift, EmulatorGap, ReadmeFacts, Starter, Target, markdown, yaml_scalar

NAME = "aws-sagemaker"

# SageMaker sends GET /ping and POST /invocations to port 8080 of the container, always.
SAGEMAKER_PORT = 8080
SAGEMAKER_HEALTH_PATH = "/ping"
VARIANT = "primary"  # blue/green updates need the same variant name in the old and new configuration


class Instance(NamedTuple):
    vcpu: int
    memory: int  # MiB
    gpu: str | None = None  # the spec's resources.gpu.type this instance carries
    gpus: int = 0
    # NVMe instance storage: CreateEndpointConfig refuses a KmsKeyId for these (the local disk is
    # encrypted by the hardware), so the volume key is left out.
    local_storage: bool = False


def _family(
    prefix: str, sizes: Mapping[str, tuple[int, float]], gpu: str | None = None, gpus: Mapping[str, int] | None = None
) -> dict[str, Instance]:
    local = prefix in LOCAL_STORAGE_FAMILIES
    return {
        f"ml.{prefix}.{size}": Instance(vcpu, int(gib * 1024), gpu, (gpus or {}).get(size, 1) if gpu else 0, local)
        for size, (vcpu, gib) in sizes.items()
    }


LOCAL_STORAGE_FAMILIES = ("g4dn", "g5", "g6", "p4d", "p5")


_GENERAL = {
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
    "4xlarge": (16, 64),
    "12xlarge": (48, 192),
    "24xlarge": (96, 384),
}
_G_SIZES = {
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
    "4xlarge": (16, 64),
    "8xlarge": (32, 128),
    "12xlarge": (48, 192),
    "16xlarge": (64, 256),
    "24xlarge": (96, 384),
    "48xlarge": (192, 768),
}
_G_GPUS = {"12xlarge": 4, "24xlarge": 4, "48xlarge": 8}

# Real-time hosting instance types tfgen knows (vCPU, memory, GPUs), from the SageMaker pricing
# page's hosting list: x86 CPU families and the NVIDIA GPU families. GPU families are keyed by the
# spec's resources.gpu.type (the names the Kubernetes and Cloud Run targets use).
INSTANCES: dict[str, Instance] = {
    **_family("t2", {"medium": (2, 4), "large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32)}),
    **_family("m5", _GENERAL),
    **_family(
        "c5",
        {
            "large": (2, 4),
            "xlarge": (4, 8),
            "2xlarge": (8, 16),
            "4xlarge": (16, 32),
            "9xlarge": (36, 72),
            "18xlarge": (72, 144),
        },
    ),
    **_family(
        "r5",
        {
            "large": (2, 16),
            "xlarge": (4, 32),
            "2xlarge": (8, 64),
            "4xlarge": (16, 128),
            "12xlarge": (48, 384),
            "24xlarge": (96, 768),
        },
    ),
    **_family("g4dn", {k: v for k, v in _G_SIZES.items() if k not in ("24xlarge", "48xlarge")}, "nvidia-t4", _G_GPUS),
    **_family("g5", _G_SIZES, "nvidia-a10g", _G_GPUS),
    **_family("g6", _G_SIZES, "nvidia-l4", _G_GPUS),
    **_family(
        "p3",
        {"2xlarge": (8, 61), "8xlarge": (32, 244), "16xlarge": (64, 488)},
        "nvidia-v100",
        {"2xlarge": 1, "8xlarge": 4, "16xlarge": 8},
    ),
    **_family("p4d", {"24xlarge": (96, 1152)}, "nvidia-a100", {"24xlarge": 8}),
    **_family("p5", {"48xlarge": (192, 2048)}, "nvidia-h100", {"48xlarge": 8}),
}
GPU_TYPES = sorted({i.gpu for i in INSTANCES.values() if i.gpu})
# What the module picks from resources when the spec names no instance_type: the cheapest
# families first (compute, general, memory), the smallest size that fits.
CPU_FAMILIES = ("c5", "m5", "r5")

# Serverless inference limits.
SERVERLESS_MEMORY = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200

# ContainerStartupHealthCheckTimeoutInSeconds and ModelDataDownloadTimeoutInSeconds: 60-3600 s.
STARTUP_MIN, STARTUP_MAX = 60, 3600

# Statement ids of the execution role's own statements that aws_common.RESERVED_SIDS does not hold.
OWN_SIDS = frozenset({"PullImage", "EcrLogin", "PublishSageMakerMetrics", "WriteCapturedData", "EncryptCapturedData"})
LINEAR_STEP_MIN = 10  # percent of capacity per linear step (TrafficRoutingConfig.LinearStepSize: 10-50%)
DEFAULT_DEPLOYMENT = {"strategy": "canary", "step_percent": 10, "wait_seconds": 300}
DEFAULT_CPU_TARGET = 75  # percent of the instance's vCPUs, when the spec names no scaling signal
DEFAULT_LATENCY_MS = 1000  # targets.aws-sagemaker.expected_latency_ms default
ALARM_PERIOD_SECONDS = 60
ALARM_EVALUATION_PERIODS = 5
ALARM_DATAPOINTS = 3


def pick_instance(spec: Spec) -> str | None:
    """The smallest known instance that fits resources (cpu, memory, gpu); None when none does."""
    r = spec.resources
    if r.gpu is not None:
        fits = [
            (i.gpus, i.vcpu, i.memory, n)
            for n, i in INSTANCES.items()
            if i.gpu == r.gpu.type and i.gpus >= r.gpu.count and i.vcpu >= r.cpu and i.memory >= r.memory
        ]
    else:
        fits = [
            (i.vcpu, i.memory, CPU_FAMILIES.index(n.split(".")[1]), n)
            for n, i in INSTANCES.items()
            if n.split(".")[1] in CPU_FAMILIES and i.vcpu >= r.cpu and i.memory >= r.memory
        ]
    return min(fits)[-1] if fits else None


def instance_type(spec: Spec) -> str | None:
    return spec.target(NAME).get("instance_type") or pick_instance(spec)


def serverless(spec: Spec) -> bool:
    return spec.target(NAME)["mode"] == "serverless"


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    # The endpoint configuration's name_prefix gets Terraform's 26-character unique suffix; SageMaker names are at most 63.
    found = common.check_name_length(
        spec, 36, "the endpoint configuration's name carries a 27-character suffix within 63 characters"
    )
    c = spec.container
    for field in ("command", "args"):
        if getattr(c, field):
            found.append(
                (
                    ("container", field),
                    "SageMaker starts the image's own entrypoint with the argument `serve`; it takes no "
                    "command or arguments. Bake them into the image's ENTRYPOINT",
                )
            )
    if c.port != SAGEMAKER_PORT:
        found.append(
            (
                ("container", "port"),
                f"SageMaker sends requests to port {SAGEMAKER_PORT} of the container, always; "
                f"serve /ping and /invocations on {SAGEMAKER_PORT} (got {c.port})",
            )
        )
    if common.explicit(spec, "container.health_check.path") and c.health.path != SAGEMAKER_HEALTH_PATH:
        found.append(
            (
                ("container", "health_check", "path"),
                f"SageMaker checks health with GET {SAGEMAKER_HEALTH_PATH} only; serve it there (got {c.health.path})",
            )
        )
    if c.secrets:
        found.append(
            (
                ("container", "secrets"),
                "a SageMaker model cannot inject secrets; with network isolation the container "
                "cannot fetch them either. Bake non-secret config into env, or use another target",
            )
        )
    if common.explicit(spec, "network.allowed_cidrs") and spec.network.allowed_cidrs != ("0.0.0.0/0",):
        found.append(
            (
                ("network", "allowed_cidrs"),
                "the SageMaker runtime API is an AWS API authenticated by IAM (SigV4); it cannot filter source addresses. "
                "Remove allowed_cidrs, and limit callers in their IAM policies (aws:SourceIp, or aws:SourceVpce with an "
                "interface VPC endpoint for sagemaker.runtime)",
            )
        )
    if spec.model is None:
        found.append((("model",), "SageMaker loads the model from S3: give model.uri (s3://BUCKET/KEY/model.tar.gz)"))
    elif spec.model.scheme != "s3":
        found += common.check_model_readable(spec, NAME, "s3", "SageMaker's execution role")
    elif spec.model.is_prefix or not spec.model.key.endswith(".tar.gz"):
        found.append(
            (("model", "uri"), "SageMaker's model_data_url is one model.tar.gz object: give s3://BUCKET/KEY.tar.gz")
        )
    deployment = settings.get("deployment", DEFAULT_DEPLOYMENT)
    if deployment["strategy"] == "linear" and deployment["step_percent"] < LINEAR_STEP_MIN:
        found.append(
            (
                ("targets", NAME, "deployment", "step_percent"),
                f"SageMaker's linear steps are {LINEAR_STEP_MIN}-50% of the variant's capacity; got {deployment['step_percent']}",
            )
        )
    if settings.get("instance_type") and serverless(spec):
        found.append(
            (
                ("targets", NAME, "instance_type"),
                "a serverless variant has no instances; remove instance_type or use mode: realtime",
            )
        )
    if serverless(spec):
        found += _check_serverless(spec)
    else:
        found += _check_realtime(spec, settings)
    if serverless(spec):
        if "network" in settings:
            found.append((("targets", NAME, "network"), "a serverless variant runs outside any VPC; remove it"))
    elif spec.network.vpc == "existing":
        if "network" not in settings:
            found.append(
                (("targets", NAME), "network.vpc is `existing`: give `network` with vpc_id and private_subnet_ids")
            )
    else:
        if "network" in settings:
            found.append(
                (
                    ("targets", NAME, "network"),
                    "only used when network.vpc is `existing`; remove it or set network.vpc: existing",
                )
            )
        found += aws_common.check_created_vpc(spec, "two private subnets of a quarter each")
    found += (
        common.check_no_cpu_target(spec, "a serverless SageMaker variant", "it scales on requests")
        if serverless(spec)
        else []
    )
    found += common.check_cloudwatch_retention(spec)
    found += aws_common.check_sids(spec)
    found += [
        (("permissions", "aws", i, "sid"), f"`{st['sid']}` is already a statement id of this policy")
        for i, st in enumerate(spec.permissions.aws)
        if st["sid"] in OWN_SIDS
    ]
    if (
        (spec.permissions.aws or "metrics" in spec.permissions.capabilities)
        and settings["network_isolation"]
        and not serverless(spec)
    ):
        found.append(
            (
                ("permissions",),
                "network isolation (on by default) gives the container no network, so it could not "
                "use these grants; remove them or set targets.aws-sagemaker.network_isolation: false",
            )
        )
    found += common.check_compute(
        spec,
        "SageMaker hosting",
        arm64="tfgen's SageMaker instance list is x86_64",
        spot="real-time endpoints have no Spot capacity",
    )
    return found


def _check_serverless(spec: Spec) -> list[common.Finding]:
    found: list[common.Finding] = []
    if spec.resources.gpu is not None:
        found.append(
            (
                ("resources", "gpu"),
                "SageMaker serverless inference runs on CPU only; use mode: realtime with a GPU instance",
            )
        )
    if spec.resources.memory not in SERVERLESS_MEMORY:
        found.append(
            (
                ("resources", "memory"),
                f"serverless memory is one of {', '.join(map(str, SERVERLESS_MEMORY))} MiB; "
                f"got {spec.resources.memory}",
            )
        )
    if spec.scaling.max > SERVERLESS_MAX_CONCURRENCY:
        found.append(
            (
                ("scaling", "max"),
                f"serverless max concurrency is at most {SERVERLESS_MAX_CONCURRENCY} (scaling.max is the "
                f"number of concurrent invocations); got {spec.scaling.max}",
            )
        )
    if common.explicit(spec, "scaling.concurrency") and spec.scaling.concurrency != 1:
        found.append(
            (
                ("scaling", "concurrency"),
                "a serverless SageMaker instance serves one request at a time; remove "
                "scaling.concurrency or set it to 1",
            )
        )
    for metric in ("cpu_percent", "memory_percent"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    "a serverless variant has no instances of its own to watch; "
                    "remove this alarm or use mode: realtime",
                )
            )
    if common.explicit(spec, "container.startup_seconds"):
        found.append(
            (("container", "startup_seconds"), "serverless variants take no container startup timeout; remove it")
        )
    settings = spec.target(NAME)
    # Serverless inference excludes VPC configuration, network isolation and data capture.
    if "data_capture" in settings:
        found.append(
            (
                ("targets", NAME, "data_capture"),
                "SageMaker serverless inference cannot capture data; use mode: realtime",
            )
        )
    if common.explicit(spec, f"targets.{NAME}.network_isolation") and settings["network_isolation"]:
        found.append(
            (
                ("targets", NAME, "network_isolation"),
                "SageMaker serverless inference has no network isolation; "
                "remove it (the model then runs without a VPC) or use mode: realtime",
            )
        )
    if spec.network.vpc == "existing":
        found.append(
            (
                ("network", "vpc"),
                "SageMaker serverless inference runs outside any VPC; remove network.vpc: existing "
                "or use mode: realtime",
            )
        )
    return found


def _check_realtime(spec: Spec, settings) -> list[common.Finding]:
    found: list[common.Finding] = []
    if spec.scaling.min == 0:
        found.append(
            (
                ("scaling", "min"),
                "a real-time SageMaker variant cannot run zero instances (it needs at least one to "
                "answer); use scaling.min: 1 or more, or mode: serverless to scale to zero",
            )
        )
    chosen = settings.get("instance_type")
    if chosen and chosen not in INSTANCES:
        found.append(
            (
                ("targets", NAME, "instance_type"),
                f"`{chosen}` is not a SageMaker real-time instance type tfgen knows; "
                f"use one of the ml.t2, ml.m5, ml.c5, ml.r5, ml.g4dn, ml.g5, ml.g6, "
                f"ml.p3, ml.p4d, ml.p5 types",
            )
        )
        return found
    gpu = spec.resources.gpu
    if gpu is not None and gpu.type not in GPU_TYPES:
        found.append(
            (("resources", "gpu", "type"), f"SageMaker GPU types here: {', '.join(GPU_TYPES)}; got {gpu.type}")
        )
        return found
    if chosen:
        instance = INSTANCES[chosen]
        if gpu is not None and (instance.gpu != gpu.type or instance.gpus < gpu.count):
            found.append(
                (
                    ("targets", NAME, "instance_type"),
                    f"`{chosen}` has {instance.gpus} {instance.gpu or 'GPU'}; "
                    f"resources.gpu asks for {gpu.count} {gpu.type}",
                )
            )
    elif pick_instance(spec) is None:
        found.append(
            (
                ("resources",),
                "no SageMaker instance type fits these resources; give targets.aws-sagemaker.instance_type",
            )
        )
    startup = spec.container.startup_seconds
    if startup is not None and not STARTUP_MIN <= startup <= STARTUP_MAX:
        found.append(
            (
                ("container", "startup_seconds"),
                f"SageMaker's container startup timeout is {STARTUP_MIN}-{STARTUP_MAX} s; got {startup}",
            )
        )
    return found


def _names(name: str) -> dict[str, str]:
    """Every AWS name the module sets; `-sm` keeps them apart from another AWS target's module of the same spec."""
    return {
        "endpoint": name,
        "config_prefix": f"{name}-",
        "role": f"{name}-sagemaker",
        "role_policy": f"{name}-sagemaker-least-privilege",
        "log_group": f"/aws/sagemaker/Endpoints/{name}",  # where SageMaker writes the endpoint's container logs
        "topic": f"{name}-sagemaker-alarms",
        "kms_alias": f"alias/{name}-sagemaker",
        "vpc": f"{name}-sagemaker",
        "security_group": f"{name}-sagemaker",
        "flow_log_group": f"/aws/vpc-flow-logs/{name}-sagemaker",
        "flow_log_role": f"{name}-sagemaker-flow-logs",
        "capture_bucket_prefix": f"{name[:28]}-capture-",
        "alarm_errors": f"{name}-sagemaker-5xx",
        "alarm_latency": f"{name}-sagemaker-latency-p99",
        "alarm_cpu": f"{name}-sagemaker-cpu",
        "alarm_memory": f"{name}-sagemaker-memory",
        "alarm_gpu": f"{name}-sagemaker-gpu",
        "scaling_concurrency": "invocations-per-instance",
        "scaling_cpu": "cpu-per-instance",
    }


def _network(spec: Spec) -> dict[str, Any]:
    if spec.network.vpc == "existing":
        net = spec.target(NAME)["network"]
        return {
            "create": False,
            "vpc_id": net["vpc_id"],
            "vpc_id_ref": net["vpc_id"],
            "subnet_ids": list(net["private_subnet_ids"]),
            "egress_cidr": "0.0.0.0/0",
        }
    return {
        "create": True,
        "cidr": spec.network.cidr,
        "vpc_id_ref": hcl.Expr("aws_vpc.this.id"),
        "subnet_ids": hcl.Expr("aws_subnet.private[*].id"),
        "egress_cidr": hcl.Expr("aws_vpc.this.cidr_block"),
    }


def _created_vpc(spec: Spec, names: dict[str, str]) -> dict[str, Any]:
    if spec.network.vpc != "create":
        return {}
    return aws_common.private_vpc_partials(spec, names)


def _model(spec: Spec) -> dict[str, Any] | None:
    m = spec.model
    if m is None or m.scheme != "s3":
        return None
    return {"uri": m.uri, "bucket": m.bucket, "object": f"{m.bucket}/{m.key}", "kms_key": m.kms_key}


def _scaling(spec: Spec, instance: Instance | None) -> dict[str, Any] | None:
    """Instance-count autoscaling of a real-time variant (None for serverless, which scales itself)."""
    if serverless(spec) or instance is None:
        return None
    s = spec.scaling
    latency_ms = spec.target(NAME)["expected_latency_ms"]
    policies = []
    if s.concurrency is not None:
        # Little's law: in flight = arrival rate x time in the system. SageMakerVariantInvocationsPerInstance
        # is invocations per instance per minute, so concurrency in flight at latency L ms is
        # concurrency x 60000 / L invocations a minute.
        per_minute = max(1, math.floor(s.concurrency * 60000 / latency_ms))
        policies.append(
            {
                "key": "concurrency",
                "name": _names(spec.name)["scaling_concurrency"],
                "predefined": True,
                "target": per_minute,
                "why": f"scaling.concurrency {s.concurrency} in flight per instance at expected_latency_ms {latency_ms} "
                f"(Little's law): {s.concurrency} x 60000 / {latency_ms} = {per_minute} invocations per instance per minute.",
            }
        )
    cpu_target = s.cpu_target if s.cpu_target is not None else (DEFAULT_CPU_TARGET if s.concurrency is None else None)
    if cpu_target is not None:
        # CPUUtilization of an endpoint is the sum over its vCPUs (0 to 100 x vCPUs).
        policies.append(
            {
                "key": "cpu",
                "name": _names(spec.name)["scaling_cpu"],
                "predefined": False,
                "target": cpu_target * instance.vcpu,
                "why": f"{'scaling.cpu_target' if s.cpu_target is not None else 'No scaling signal in the spec: the default'} "
                f"{cpu_target}% of the instance's {instance.vcpu} vCPUs; SageMaker reports CPUUtilization summed "
                f"over vCPUs, so the target is {cpu_target} x {instance.vcpu} = {cpu_target * instance.vcpu}.",
            }
        )
    return {"min": s.min, "max": s.max, "policies": policies, "latency_ms": latency_ms}


def _alarms(spec: Spec, names: dict[str, str], instance: Instance | None) -> dict[str, Any]:
    a = spec.observability.alarms
    settings = spec.target(NAME)
    realtime = not serverless(spec)
    vcpus = instance.vcpu if instance else 1
    gpus = instance.gpus if instance else 0
    return {
        "error_rate_percent": a.error_rate_percent,
        "error_rate_words": None if a.error_rate_percent is None else hcl.number(a.error_rate_percent),
        "latency_p99_ms": a.latency_p99_ms,
        # ModelLatency is reported in microseconds.
        "latency_p99_us": None if a.latency_p99_ms is None else a.latency_p99_ms * 1000,
        "cpu_percent": a.cpu_percent if realtime else None,
        "cpu_threshold": None if a.cpu_percent is None else a.cpu_percent * vcpus,  # summed over vCPUs
        "vcpus": vcpus,
        "memory_percent": a.memory_percent if realtime else None,
        "gpu_percent": settings["gpu_alarm_percent"] if realtime and gpus else None,
        "gpu_threshold": settings["gpu_alarm_percent"] * gpus if gpus else None,  # summed over GPUs
        "gpus": gpus,
        "period": ALARM_PERIOD_SECONDS,
        "evaluation_periods": ALARM_EVALUATION_PERIODS,
        "datapoints": ALARM_DATAPOINTS,
        # The alarms a deployment rolls back on: errors always, latency when the spec sets a p99.
        "rollback": [names["alarm_errors"]] + ([names["alarm_latency"]] if a.latency_p99_ms is not None else []),
        "rollback_keys": ["errors"] + (["latency"] if a.latency_p99_ms is not None else []),
    }


def _deployment(spec: Spec) -> dict[str, Any]:
    d = spec.target(NAME).get("deployment", DEFAULT_DEPLOYMENT)
    return {
        "type": {"canary": "CANARY", "linear": "LINEAR", "all-at-once": "ALL_AT_ONCE"}[d["strategy"]],
        "strategy": d["strategy"],
        "step_percent": d["step_percent"],
        "wait_seconds": d["wait_seconds"],
        "termination_wait_seconds": d["wait_seconds"],
    }


def _skips(spec: Spec, capture: bool, instance: Instance | None, isolation: bool) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    days = spec.observability.log_retention_days
    reasons: dict[str, str] = {}
    if days < 365:
        reasons["retention"] = f"retention is the spec's observability.log_retention_days ({days} days)"
    if serverless(spec):
        reasons["volume_key"] = (
            "targets.aws-sagemaker.mode is serverless: the variant has no ML storage volume of its own "
            "to encrypt with a customer key"
        )
        reasons["isolation"] = (
            "targets.aws-sagemaker.mode is serverless, which SageMaker runs without network isolation"
        )
    else:
        if instance is not None and instance.local_storage:
            reasons["volume_key"] = (
                f"{instance_type(spec)} has NVMe instance storage, encrypted by the hardware; "
                "CreateEndpointConfig refuses a KmsKeyId for such instances"
            )
        reasons["security_group_attached"] = (
            "attached through aws_sagemaker_model.this's vpc_config, which the check does "
            "not know as an attachment (it knows ENIs, instances, load balancers, Lambda)"
        )
        if not isolation:
            reasons["isolation"] = (
                "targets.aws-sagemaker.network_isolation is false in the spec: the container needs the network"
            )
    if spec.network.vpc == "create" and not serverless(spec):
        reasons["availability_zones"] = (
            "only names[0] and names[1] are used, so a zone AWS adds later cannot add subnets; "
            "zone names differ per account, so they cannot be pinned from the spec"
        )
    if capture:
        reasons["capture_logging"] = (
            "the capture bucket holds request/response samples written only by SageMaker; access "
            "logging it would need a second bucket for no added audit value"
        )
        reasons["capture_replication"] = (
            "captured samples are monitoring data kept in one Region with the spec's retention; "
            "a replica doubles the store for no recovery need"
        )
        reasons["capture_events"] = (
            "nothing consumes new-object events for captured samples; SageMaker is their only writer"
        )
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    names = _names(spec.name)
    chosen = None if serverless(spec) else instance_type(spec)
    instance = INSTANCES.get(chosen) if chosen else None
    capture = settings.get("data_capture")
    image = spec.container.image or ""
    model = _model(spec)
    return {
        **common.base_context(spec),
        "names": names,
        "region": settings["region"],
        "image": image,
        "ecr": aws_common.ecr_repository(image),
        "model": model,
        # The model.tar.gz is unpacked into /opt/ml/model; model.env still tells the container where it came from.
        "env": {**dict(spec.container.env), **({spec.model.env: spec.model.uri} if spec.model and model else {})},
        # Serverless inference has neither network isolation nor a VPC.
        "network_isolation": settings["network_isolation"] and not serverless(spec),
        "network": None if serverless(spec) else _network(spec),
        **({} if serverless(spec) else _created_vpc(spec, names)),
        "volume_key": instance is not None and not instance.local_storage,
        "serverless": {
            "memory": spec.resources.memory,
            "max_concurrency": spec.scaling.max,
            "provisioned": spec.scaling.min,
        }
        if serverless(spec)
        else None,
        "instance_type": chosen,
        "instance": instance._asdict() if instance else None,
        "initial_count": spec.scaling.min,
        "startup_seconds": spec.container.startup_seconds,
        "variant": VARIANT,
        "capture": {
            "sampling_percent": capture["sampling_percent"],
            "expire_days": spec.observability.log_retention_days,
        }
        if capture
        else None,
        "deployment": _deployment(spec),
        "scaling": _scaling(spec, instance),
        "alarms": _alarms(spec, names, instance),
        "notify": aws_common.alarm_notify(spec, NAME, "aws_sns_topic.this.arn"),
        "retention_days": spec.observability.log_retention_days,
        # The spec's own grants (permissions) go to the execution role, the container's identity;
        # the model read is the role's own ReadModel statement above.
        "app": {**aws_common.app_permissions(spec), "model": None},
        "encrypted_log_groups": [names["log_group"]]
        + ([names["flow_log_group"]] if spec.network.vpc == "create" and not serverless(spec) else []),
        "skip": _skips(spec, capture is not None, instance, settings["network_isolation"]),
        "outputs": {
            "invoke_url": hcl.Expr(
                '"https://runtime.sagemaker.${local.region}.${data.aws_partition.current.dns_suffix}/endpoints/'
                '${aws_sagemaker_endpoint.this.name}/invocations"'
            )
        },
    }


def _told(notify: dict[str, Any]) -> str:
    emails, topics = len(notify["emails"]), len(notify["topic_arns"])
    parts = (
        [f"{emails} email subscription{'s' if emails > 1 else ''} (observability.notify_emails)"] if emails else []
    ) + ([f"{topics} existing topic{'s' if topics > 1 else ''} (alarm_topic_arns)"] if topics else [])
    return (
        ("notifying " + " and ".join(parts))
        if parts
        else ("that nobody is subscribed to: set observability.notify_emails or targets.aws-sagemaker.alarm_topic_arns")
    )


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    model, alarms, scaling, d = c["model"], c["alarms"], c["scaling"], c["deployment"]
    creates = [
        f"A SageMaker model: the container {c['image']} with the model artifact {model['uri'] if model else '(none)'} "
        f"unpacked into /opt/ml/model, in private subnets"
        + (
            ", with network isolation (the container gets no network at all)"
            if c["network_isolation"]
            else ", without network isolation"
        )
        + ".",
    ]
    if c["serverless"]:
        s = c["serverless"]
        creates.append(
            f"An endpoint configuration with one serverless variant: {s['memory']} MiB, at most {s['max_concurrency']} "
            f"concurrent invocations (scaling.max)"
            + (f", {s['provisioned']} provisioned (scaling.min)" if s["provisioned"] else "")
            + "."
        )
    else:
        i = c["instance"]
        creates.append(
            f"An endpoint configuration with one production variant on {c['instance_type']} ({i['vcpu']} vCPU, "
            f"{i['memory']} MiB" + (f", {i['gpus']} {i['gpu']} GPU" if i["gpus"] else "") + f"), {c['initial_count']} "
            "instance(s) at creation (scaling.min), its storage volume encrypted with the module's KMS key."
        )
    if c["capture"]:
        creates.append(
            f"Data capture of {c['capture']['sampling_percent']}% of requests and responses to a private S3 bucket "
            f"(KMS-encrypted, versioned, public access blocked, TLS only, expired after {c['capture']['expire_days']} days)."
        )
    creates.append(
        f"An endpoint with blue/green deployments ({d['strategy']}"
        + (f", {d['step_percent']}% of capacity per step" if d["strategy"] != "all-at-once" else "")
        + f", {d['wait_seconds']} s between steps) that roll back automatically when {' or '.join(alarms['rollback'])} fires."
    )
    if scaling:
        policies = [p["why"] for p in scaling["policies"]]
        creates.append(
            f"Application Auto Scaling of the variant's instance count between {scaling['min']} and {scaling['max']}, "
            "target tracking: " + " ".join(policies)
        )
    execution = (
        ["s3:GetObject on exactly the model object"]
        + (["kms:Decrypt with model.kms_key through S3"] if model and model["kms_key"] else [])
        + (["ECR pull of the image's repository"] if c["ecr"] else [])
        + ["writing its own log group and CloudWatch metrics in SageMaker's namespaces only"]
    )
    if c["network"]:
        execution.append("network interfaces in its own subnets and security group only")
    if c["capture"]:
        execution.append(
            "writing captured data under captured/ in the capture bucket, encrypted with the module's KMS key"
        )
    execution += aws_common.app_permission_words(c["app"])
    creates.append("An execution role for SageMaker with " + "; ".join(execution) + ".")
    names = [
        f"5xx invocation errors{' above ' + alarms['error_rate_words'] + '% of invocations' if alarms['error_rate_percent'] is not None else ''}"
    ]
    if alarms["latency_p99_ms"] is not None:
        names.append(f"p99 model latency above {alarms['latency_p99_ms']} ms")
    if alarms["cpu_percent"] is not None:
        names.append(f"CPU above {alarms['cpu_percent']}% of the instance")
    if alarms["memory_percent"] is not None:
        names.append(f"memory above {alarms['memory_percent']}%")
    if alarms["gpu_percent"] is not None:
        names.append(f"GPU above {alarms['gpu_percent']}% (gpu_alarm_percent)")
    creates.append(f"CloudWatch alarms ({', '.join(names)}) on a KMS-encrypted SNS topic {_told(c['notify'])}.")
    creates.append(
        "A customer-managed KMS key (yearly rotation) for the volume, the log group, the topic"
        + (" and the capture bucket" if c["capture"] else "")
        + "."
    )
    net = c["network"]
    if net and net["create"]:
        creates.append(
            f"A VPC ({net['cidr']}) with two private subnets, no internet gateway or NAT, an S3 gateway endpoint that "
            "admits only the model read"
            + (" and the capture writes" if c["capture"] else "")
            + ", flow logs, and a default security group with no rules."
        )
    if net:
        creates.append(
            "A security group for the model's network interfaces: no inbound rules, outbound HTTPS only"
            + (" inside the VPC." if net["create"] else ".")
        )
    else:
        creates.append("No VPC: SageMaker serverless inference runs outside any VPC and without network isolation.")
    notes = [
        markdown(
            "Call it with IAM credentials that may `sagemaker:InvokeEndpoint` on the endpoint: "
            "`aws sagemaker-runtime invoke-endpoint --endpoint-name "
            + c["names"]["endpoint"]
            + " --content-type text/csv --body fileb://payload.csv out.json` (the output `invoke_url` is the same call over HTTPS, SigV4-signed)."
        ),
        f"SageMaker sends GET {SAGEMAKER_HEALTH_PATH} and POST /invocations to port {SAGEMAKER_PORT} of the container; "
        "container.health_check is mapped to /ping (SageMaker's own check, not configurable).",
        "The runtime API is an AWS API on the internet authenticated by IAM (SigV4), whatever network.public says; it cannot "
        "filter source addresses. To keep calls inside a network, create an interface VPC endpoint for "
        "com.amazonaws.REGION.sagemaker.runtime and require aws:SourceVpce in the callers' policies (or an SCP).",
    ]
    if c["network_isolation"]:
        notes.append(
            "Network isolation (targets.aws-sagemaker.network_isolation, on by default) gives the container no network: "
            "it cannot call AWS APIs, download anything or send data out, even through the VPC. SageMaker itself "
            "still downloads the model and writes logs and metrics for it. Turn it off only for a container that must "
            "reach something at run time."
        )
    if scaling:
        notes.append(
            f"scaling.concurrency means in-flight requests per instance, as on every target. SageMaker scales on "
            f"invocations per instance per minute, so tfgen converts by Little's law with "
            f"targets.aws-sagemaker.expected_latency_ms ({scaling['latency_ms']} ms): a target, not a cap; set "
            "expected_latency_ms to the model's measured mean latency. Application Auto Scaling owns the instance "
            "count after creation. The emulator (moto) cannot tag Application Auto Scaling targets: tfgen plans and "
            "applies there with enable_endpoint_autoscaling = false."
        )
    if model and model["kms_key"] is None:
        notes.append(
            "The model object must be readable by the execution role: a bucket policy or SCP that denies it still wins; "
            "with SSE-KMS give model.kms_key."
        )
    if c["capture"]:
        notes.append(
            "The capture bucket is not force-destroyed: empty it (every version) before terraform destroy, or keep the "
            "captured data by removing the bucket from state first."
        )
    if model and spec.model:
        notes.append(
            f"The container also gets {spec.model.env} = {model['uri']} (model.env), for logging which artifact it serves; "
            "the artifact itself is already unpacked in /opt/ml/model."
        )
    notes.append(
        "A new model or configuration creates a new endpoint configuration (name_prefix, create before destroy) and the "
        "endpoint moves to it by the blue/green deployment above."
    )
    # The first of the shared notes is about an application downloading the model itself; SageMaker does that here.
    notes += aws_common.app_permission_notes(spec)[1:] if model else aws_common.app_permission_notes(spec)
    return ReadmeFacts("Amazon SageMaker", tuple(creates), tuple(notes))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region"],
    "properties": {
        "region": {"$ref": "#/$defs/region"},
        "mode": {
            "description": "`realtime`: a production variant on instances; `serverless`: SageMaker serverless inference "
            "(resources.memory 1024-6144 MiB in steps of 1024, scaling.max concurrent invocations up to 200, "
            "scaling.min provisioned, no GPU).",
            "enum": ["realtime", "serverless"],
            "default": "realtime",
        },
        "instance_type": {
            "description": "SageMaker hosting instance type, e.g. ml.m5.large or ml.g4dn.xlarge; default: the smallest that "
            "fits resources.cpu, memory and gpu (nvidia-t4: g4dn, nvidia-a10g: g5, nvidia-l4: g6, "
            "nvidia-v100: p3, nvidia-a100: p4d, nvidia-h100: p5).",
            "type": "string",
            "pattern": "^ml\\.[a-z0-9]+\\.[a-z0-9]+$",
        },
        "network_isolation": {
            "description": "Give the container no network access at all (SageMaker still loads the model).",
            "type": "boolean",
            "default": True,
        },
        "expected_latency_ms": {
            "description": "Mean model latency used to turn scaling.concurrency (in flight per instance) into invocations "
            "per instance per minute: concurrency x 60000 / expected_latency_ms.",
            "type": "integer",
            "minimum": 1,
            "maximum": 600000,
            "default": DEFAULT_LATENCY_MS,
        },
        "gpu_alarm_percent": {
            "description": "GPU utilisation alarm threshold (percent of the instance's GPUs), on GPU instances.",
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 90,
        },
        "data_capture": {
            "description": "Capture requests and responses to an encrypted private S3 bucket the module creates.",
            "type": "object",
            "additionalProperties": False,
            "required": ["sampling_percent"],
            "properties": {"sampling_percent": {"type": "integer", "minimum": 1, "maximum": 100}},
        },
        "deployment": {
            "description": "Blue/green traffic shifting on updates; rolls back on the module's error and latency alarms.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "strategy": {"enum": ["canary", "linear", "all-at-once"], "default": "canary"},
                "step_percent": {
                    "description": "Capacity percent of the canary (at most 50), or of each linear step (10-50).",
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50,
                    "default": 10,
                },
                "wait_seconds": {
                    "description": "Baking time between steps and before the old fleet ends.",
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 3600,
                    "default": 300,
                },
            },
        },
        "network": {"$ref": "#/$defs/awsNetwork"},
        "alarm_topic_arns": aws_common.ALARM_TOPIC_ARNS_SCHEMA,
    },
}

_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
_MODEL = {"uri": "s3://example-models/xgb/v1/model.tar.gz"}
VARIANTS = {
    "minimal": {
        "name": "sm-minimal",
        "container": {"image": _IMAGE},
        "model": _MODEL,
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "public": {
        "name": "sm-public",
        "container": {"image": _IMAGE},
        "model": _MODEL,
        "network": {"public": True},
        "targets": {NAME: {"region": "us-east-1", "network_isolation": False}},
    },
    "existing-network": {
        "name": "sm-existing",
        "container": {"image": _IMAGE},
        "model": _MODEL,
        "network": {"vpc": "existing"},
        "targets": {
            NAME: {
                "region": "us-west-2",
                "network": {
                    "vpc_id": "vpc-0123456789abcdef0",
                    "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                },
            }
        },
    },
    "gpu": {
        "name": "sm-gpu",
        "container": {"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3-gpu-py311"},
        "model": {"uri": "s3://example-models/bert/v3/model.tar.gz"},
        "resources": {"cpu": 4, "memory": 16384, "gpu": {"type": "nvidia-t4", "count": 1}},
        "scaling": {"min": 1, "max": 2, "concurrency": 4},
        "targets": {NAME: {"region": "us-east-1", "expected_latency_ms": 250}},
    },
    "serverless": {
        "name": "sm-serverless",
        "container": {"image": _IMAGE},
        "model": _MODEL,
        "resources": {"memory": 2048},
        "scaling": {"min": 0, "max": 20},
        "targets": {NAME: {"region": "us-east-1", "mode": "serverless"}},
    },
    "data-capture": {
        "name": "sm-capture",
        "container": {"image": _IMAGE},
        "model": _MODEL,
        "targets": {NAME: {"region": "us-east-1", "data_capture": {"sampling_percent": 20}}},
    },
    "all-features": {
        "name": "sm-full",
        "description": "every optional feature of aws-sagemaker",
        "labels": {"team": "ml"},
        "container": {
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/model:2.0.0",
            "env": {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"},
            "startup_seconds": 300,
            "health_check": {"path": "/ping"},
        },
        "resources": {"cpu": 4, "memory": 16384, "gpu": {"type": "nvidia-t4", "count": 1}},
        "scaling": {"min": 2, "max": 6, "cpu_target": 60, "concurrency": 8},
        "network": {"cidr": "10.50.0.0/20"},
        "observability": {
            "log_retention_days": 400,
            "alarms": {"cpu_percent": 80, "memory_percent": 85, "error_rate_percent": 1, "latency_p99_ms": 500},
            "notify_emails": ["oncall@example.com"],
        },
        "model": {
            "uri": "s3://example-models/sm-full/v2/model.tar.gz",
            "kms_key": "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1234-5678-9abc-def012345678",
        },
        "targets": {
            NAME: {
                "region": "us-east-1",
                "instance_type": "ml.g4dn.xlarge",
                "expected_latency_ms": 200,
                "gpu_alarm_percent": 85,
                "data_capture": {"sampling_percent": 5},
                "deployment": {"strategy": "linear", "step_percent": 25, "wait_seconds": 600},
                "alarm_topic_arns": ["arn:aws:sns:us-east-1:123456789012:pager"],
            }
        },
        "state": {"backend": "s3", "bucket": "example-tfstate", "key": "sm-full.tfstate", "region": "us-east-1"},
    },
}

STARTER = Starter(
    questions=(aws_common.REGION_QUESTION,),
    settings=lambda answers: [
        f"    region: {yaml_scalar(answers['region'])}",
        "    # instance_type: ml.m5.large  # default: the smallest that fits resources",
        "    container: {health_check: {path: /ping}}  # SageMaker checks GET /ping on port 8080",
        '    model: {uri: "s3://my-models-bucket/my-model/model.tar.gz"}  # the model.tar.gz SageMaker unpacks into /opt/ml/model',
    ],
    sections={"container": ("  # aws-sagemaker: the container serves GET /ping and POST /invocations on port 8080",)},
)

TARGET = Target(
    name=NAME,
    title="Amazon SageMaker",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(aws_common.AWS_PROVIDER,),
    schema=SCHEMA,
    schema_defs=aws_common.NETWORK_SCHEMA_DEFS,
    defaults={
        "mode": "realtime",
        "network_isolation": True,
        "expected_latency_ms": DEFAULT_LATENCY_MS,
        "gpu_alarm_percent": 90,
        "deployment": DEFAULT_DEPLOYMENT,
    },
    check=check,
    context=context,
    readme=readme,
    emulator_gaps=(
        EmulatorGap(
            "enable_endpoint_autoscaling",
            "SageMaker endpoint instance-count auto scaling",
            ("aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"),
            "moto does not implement Application Auto Scaling ListTagsForResource",
        ),
    ),
    emulator_drift=(
        EmulatorDrift("aws_sagemaker_model", ("enable_network_isolation", "vpc_config")),
        EmulatorDrift("aws_sagemaker_endpoint_configuration", ("data_capture_config",)),
        EmulatorDrift("aws_sagemaker_endpoint", ("deployment_config",)),
        *aws_common.SECURITY_GROUP_RULE_DRIFT,
    ),
    variants=VARIANTS,
    starter=STARTER,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, True, "alarm_topic_arns"),
    permission_cloud="aws",
)
