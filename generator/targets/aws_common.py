"""What the AWS targets share: the provider pin, the existing-network schema,
what the emulator drops for resources they both use, and the shape of a
created VPC (subnet maths and the context of the templates/_shared/aws/ partials)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from .. import hcl
from ..model import Gpu, Spec
from .base import EmulatorDrift, Provider, StarterQuestion

AWS_PROVIDER = Provider("aws", "hashicorp/aws", ">= 5.100.0, < 6.0.0")

# `tfgen init` asks it once for every AWS target chosen.
REGION_QUESTION = StarterQuestion("region", "AWS region", "AWS region.", default="us-east-1")

# An image in a private ECR repository: its execution role pulls from that repository only.
ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[a-z0-9._/-]+)(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})?$"
)


def ecr_repository(image: str) -> dict[str, str] | None:
    """The ECR repository (account, region, repository) an image is pulled from; None for other registries."""
    match = ECR_IMAGE.match(image)
    return match.groupdict() if match else None


# CloudWatch takes at most five actions per alarm state; the module's own topic is one.
ALARM_TOPIC_ARNS_SCHEMA = {
    "description": "Existing SNS topics every alarm also notifies (e.g. an on-call tool's topic); each topic's policy "
    "must let cloudwatch.amazonaws.com publish, and an encrypted topic's key must let CloudWatch use it.",
    "type": "array",
    "maxItems": 4,
    "uniqueItems": True,
    "items": {"type": "string", "pattern": "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$"},
}


def alarm_notify(spec, target: str, own_topic: str) -> dict[str, Any]:
    """Who the alarms tell (issue 13 #3): the spec's emails subscribe to the module's topic
    (`own_topic`, an expression), and every alarm acts on that topic and the spec's own topics."""
    topics = list(spec.target(target).get("alarm_topic_arns", ()))
    return {
        "emails": list(spec.observability.notify_emails),
        "topic_arns": topics,
        "actions": [hcl.Expr(own_topic), *topics],
    }


# `$defs` entry the AWS targets' schema fragments reference for network.vpc: existing.
NETWORK_SCHEMA_DEFS = {
    "awsNetwork": {
        "description": "Existing AWS network, required when network.vpc is existing.",
        "type": "object",
        "additionalProperties": False,
        "required": ["vpc_id", "private_subnet_ids"],
        "properties": {
            "vpc_id": {"type": "string", "pattern": "^vpc-[0-9a-f]{8,17}$"},
            "private_subnet_ids": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": "^subnet-[0-9a-f]{8,17}$"},
            },
            "public_subnet_ids": {
                "type": "array",
                "minItems": 2,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": "^subnet-[0-9a-f]{8,17}$"},
            },
        },
    },
}

# Found by plan -> apply -> plan of the AWS examples with moto 5.2.5: rule descriptions are not kept.
SECURITY_GROUP_RULE_DRIFT = (
    EmulatorDrift("aws_vpc_security_group_egress_rule", ("description",)),
    EmulatorDrift("aws_vpc_security_group_ingress_rule", ("description",)),
)


# -- a created VPC: one shape for every AWS target (templates/_shared/aws/) ----

ZONES = 2  # subnets per tier, one per Availability Zone
# The VPC range is cut into four equal blocks (newbits 2): private subnets take
# blocks 0 and 1, public subnets (where a target has them) blocks 2 and 3.
SUBNET_NEWBITS = 2
PRIVATE_BLOCKS, PUBLIC_BLOCKS = (0, 1), (2, 3)
SMALLEST_SUBNET_PREFIX = 28  # AWS subnets are /16 to /28


def subnet_cidrs(vpc_cidr: str) -> dict[str, list[str]]:
    """The private and public subnet ranges of a created VPC."""
    blocks = [str(s) for s in ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=SUBNET_NEWBITS)]
    return {"private": [blocks[i] for i in PRIVATE_BLOCKS], "public": [blocks[i] for i in PUBLIC_BLOCKS]}


def largest_vpc_prefix(smallest_subnet_prefix: int = SMALLEST_SUBNET_PREFIX) -> int:
    """The longest VPC prefix whose four blocks are still at least `smallest_subnet_prefix`."""
    return smallest_subnet_prefix - SUBNET_NEWBITS


def check_created_vpc(spec: Spec, layout: str) -> list[tuple[tuple[str, ...], str]]:
    """A created VPC's range must split into four subnets of at least SMALLEST_SUBNET_PREFIX; `layout` says which."""
    network = ipaddress.ip_network(spec.network.cidr, strict=False)
    low, high = 16, largest_vpc_prefix()
    if not low <= network.prefixlen <= high:
        return [
            (
                ("network", "cidr"),
                f"a created VPC needs a /{low} to /{high} range ({layout}); got /{network.prefixlen}",
            )
        ]
    return []


def writable_volumes(spec: Spec) -> list[dict[str, str]]:
    """One volume per container.writable_paths entry; names from the path (letters, digits, - and _, as ECS and Batch take)."""
    volumes: list[dict[str, str]] = []
    taken: set[str] = set()
    for path in spec.container.writable_paths:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", path.strip("/")).strip("-")[:200] or "root"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        volumes.append({"name": name, "path": path})
    return volumes


def subnet_cidr_in_terraform() -> hcl.Expr:
    """The private subnet ranges computed by Terraform from the VPC (the same split as subnet_cidrs)."""
    return hcl.Expr(f"cidrsubnet(aws_vpc.this.cidr_block, {SUBNET_NEWBITS}, count.index)")


def listed_subnet_cidr(cidrs: list[str]) -> hcl.Expr:
    """A subnet range from a list computed here (subnet_cidrs), by count.index."""
    return hcl.Expr(f"element({hcl.encode(cidrs)}, count.index)")


def flow_logs(
    log_group: str,
    retention_days: int,
    role: str,
    role_policy: str,
    *,
    assume_policy: str = "flow_logs_assume",
    role_description: str | None = None,
) -> dict[str, Any]:
    """Context of templates/_shared/aws/flow_logs.tf.j2."""
    return {
        "log_group": log_group,
        "retention_days": retention_days,
        "role": role,
        "role_policy": role_policy,
        "assume_policy": assume_policy,
        "role_description": role_description,
    }


def private_vpc_partials(spec, names: dict[str, str], **flow_log_options) -> dict[str, Any]:
    """Context of the shared AWS network partials (templates/_shared/aws/) for a created VPC with private
    subnets only, named `<vpc>-private-N`, and its flow logs (`flow_log_options`: flow_logs' keywords)."""
    return {
        "aws_network": {
            "zone_count": ZONES,
            # Terraform splits the range as subnet_cidrs does: the first two quarters, half left free.
            "private_subnet_cidr": subnet_cidr_in_terraform(),
            "private_subnet_name": hcl.Expr(f'format("%s-private-%d", {hcl.encode(names["vpc"])}, count.index + 1)'),
        },
        "flow_logs": flow_logs(
            names["flow_log_group"],
            spec.observability.log_retention_days,
            names["flow_log_role"],
            names["flow_log_role"],
            role_description="Lets VPC flow logs write to their own log group",
            **flow_log_options,
        ),
    }


# -- the application's own permissions (issue 12 #1 #2): templates/_shared/aws/app_statements.tf.j2 --


def s3_grants(bucket: str, key: str, is_prefix: bool) -> dict[str, Any]:
    """An S3 object's or prefix's IAM resources: `objects` (the key itself, or everything under the
    prefix; the schema keeps IAM wildcards out of keys) and, for a prefix, the `s3:prefix` values that
    let ListBucket list under it only."""
    return {
        "bucket": bucket,
        "objects": f"{bucket}/{key}*" if is_prefix else f"{bucket}/{key}",
        "prefix": [key, f"{key}*"] if is_prefix else None,
    }


# Secrets Manager reads "-" plus six characters at the end of a partial ARN as
# its random suffix, so such a name would not resolve.
SECRET_SUFFIX_LIKE = re.compile(r"-[A-Za-z0-9]{6}$")


def check_secret_names(spec) -> list[tuple[tuple[str, ...], str]]:
    """container.secrets names a container's partial secret ARN (arn:...:secret:NAME) could not resolve."""
    return [
        (
            ("container", "secrets", env_name),
            f"Secrets Manager would read the end of `{secret}` as its random ARN suffix; rename the secret so it "
            "does not end in `-` and six letters or digits",
        )
        for env_name, secret in spec.container.secrets.items()
        if SECRET_SUFFIX_LIKE.search(secret)
    ]


def app_permissions(spec) -> dict[str, Any]:
    """What the application's role may do beyond the target's own needs: read the model
    (exactly its object or prefix), publish metrics into one namespace, and the spec's own
    statements. Each is a statement in the role's aws_iam_policy_document."""
    model = spec.model if spec.model is not None and spec.model.scheme == "s3" else None
    read = None
    if model is not None:
        read = {**s3_grants(model.bucket, model.key, model.is_prefix), "kms_key": model.kms_key}
    permissions = spec.permissions
    return {
        "model": read,
        "metrics_namespace": permissions.metrics_namespace if "metrics" in permissions.capabilities else None,
        "statements": [
            {
                "sid": s["sid"],
                "actions": list(s["actions"]),
                "resources": list(s["resources"]),
                "conditions": [dict(c, values=list(c["values"])) for c in s.get("conditions", ())],
            }
            for s in permissions.aws
        ],
        "any": read is not None or "metrics" in permissions.capabilities or bool(permissions.aws),
    }


def app_permission_words(app: dict[str, Any]) -> list[str]:
    """The grants of app_permissions() in words, for a README."""
    words = []
    if app["model"]:
        m = app["model"]
        words.append(
            f"s3:GetObject on {m['objects']}"
            + (f" and s3:ListBucket limited to the prefix {m['prefix'][0]}" if m["prefix"] else "")
            + (" and kms:Decrypt through S3 with the model's key" if m["kms_key"] else "")
        )
    if app["metrics_namespace"]:
        words.append(f"cloudwatch:PutMetricData into the namespace {app['metrics_namespace']} only")
    words += [f"the spec's statement {s['sid']}" for s in app["statements"]]
    return words


def app_permission_notes(spec) -> list[str]:
    """README notes on the application's grants (app_permissions)."""
    notes = []
    model = spec.model
    if model is not None and model.scheme == "s3":
        notes.append(
            f"The model ({model.uri}) reaches the container as the environment variable {model.env}; the application "
            "downloads it with its own role, which may read exactly that "
            + ("prefix (and list only under it)" if model.is_prefix else "object")
            + ". A bucket policy or an "
            "SCP that denies the role still wins; with SSE-KMS give model.kms_key so the role may decrypt."
        )
    if "metrics" in spec.permissions.capabilities:
        notes.append(
            f"permissions.capabilities metrics: cloudwatch:PutMetricData has no resource-level permissions, so the "
            f"statement allows only the namespace {spec.permissions.metrics_namespace} (the cloudwatch:namespace "
            "condition); publish there."
        )
    if spec.permissions.aws:
        notes.append(
            "permissions.aws: the spec's own statements are rendered as written into the application's policy "
            "document; review them there. A `*` you write stays, and Checkov reports it."
        )
    return notes


def check_sids(spec) -> list[tuple[tuple, str]]:
    """Statement ids must be unique within the application's policy (AWS rejects duplicates)."""
    seen: set[str] = set()
    found = []
    for index, statement in enumerate(spec.permissions.aws):
        if statement["sid"] in seen or statement["sid"] in RESERVED_SIDS:
            found.append(
                (("permissions", "aws", index, "sid"), f"`{statement['sid']}` is already a statement id of this policy")
            )
        seen.add(statement["sid"])
    return found


# Statement ids tfgen's own statements use in the application's policy.
RESERVED_SIDS = frozenset(
    {
        "ReadModel",
        "ListModelPrefix",
        "DecryptModel",
        "PublishMetrics",
        "XRayWrite",
        "WriteTraces",
        "WriteOwnLogs",
        "SendToDeadLetterQueue",
        "UseServiceKey",
        "ReadNamedSecrets",
        "DescribeNetwork",
        "CreateNetworkInterfaces",
        "ManageNetworkInterfacesInVpc",
    }
)


# -- GPUs on EC2 (issue 12 §3): the instance an ECS capacity provider or a Batch compute environment launches --


@dataclass(frozen=True)
class GpuInstance:
    vcpu: int
    memory: int  # MiB installed
    gpus: int


def _gpu_family(family: str, sizes: dict[str, tuple[int, int, int]]) -> dict[str, GpuInstance]:
    return {f"{family}.{size}": GpuInstance(vcpu, gib * 1024, gpus) for size, (vcpu, gib, gpus) in sizes.items()}


# vCPU, GiB and GPUs of the g-family sizes (g5, g6; g4dn stops at 16xlarge), from the EC2 instance-type pages.
_G_SIZES = {
    "xlarge": (4, 16, 1),
    "2xlarge": (8, 32, 1),
    "4xlarge": (16, 64, 1),
    "8xlarge": (32, 128, 1),
    "12xlarge": (48, 192, 4),
    "16xlarge": (64, 256, 1),
    "24xlarge": (96, 384, 4),
    "48xlarge": (192, 768, 8),
}

# resources.gpu.type -> the EC2 GPU instance family that carries it (the names the Kubernetes,
# Cloud Run and SageMaker targets use). Bare-metal sizes are left out: they take far longer to boot.
GPU_INSTANCES: dict[str, dict[str, GpuInstance]] = {
    "nvidia-t4": _gpu_family("g4dn", {k: v for k, v in _G_SIZES.items() if k not in ("24xlarge", "48xlarge")}),
    "nvidia-a10g": _gpu_family("g5", _G_SIZES),
    "nvidia-l4": _gpu_family("g6", _G_SIZES),
    "nvidia-l40s": _gpu_family("g6e", {k: (v, g * 2, n) for k, (v, g, n) in _G_SIZES.items()}),
    "nvidia-v100": _gpu_family("p3", {"2xlarge": (8, 61, 1), "8xlarge": (32, 244, 4), "16xlarge": (64, 488, 8)}),
    "nvidia-a100": _gpu_family("p4d", {"24xlarge": (96, 1152, 8)}),
    "nvidia-h100": _gpu_family("p5", {"48xlarge": (192, 2048, 8)}),
}
GPU_TYPES: tuple[str, ...] = tuple(GPU_INSTANCES)

# The ECS agent registers less memory than is installed (kernel and platform overhead: an m4.large's
# 8192 MiB registers as 7985), and AWS recommends keeping 5 % more for the agent and system processes.
# A task may take at most this share of the instance's installed memory.
GPU_INSTANCE_MEMORY_SHARE = 0.9

# GPU instances' root volume (GiB): CUDA images run to gigabytes, and the volume holds the image being
# replaced beside its successor (an ECS deploy, a new Batch job definition revision) and the containers'
# writable paths. Left unset, it would be the AMI's own size, chosen for the system, not for such images.
GPU_ROOT_VOLUME_GIB = 100


def gpu_instance_family(gpu_type: str) -> str | None:
    """The EC2 family that carries `gpu_type` (g4dn for nvidia-t4), None for an unknown type."""
    sizes = GPU_INSTANCES.get(gpu_type)
    return next(iter(sizes)).split(".")[0] if sizes else None


def gpu_instance_type(gpu: Gpu, cpu: float, memory: int) -> str | None:
    """The instance an EC2-backed task or job with `gpu`, `cpu` vCPU and `memory` MiB runs on:
    of the GPU's family, the size with the fewest GPUs that still has `gpu.count`, then the fewest vCPUs and
    least memory, with at least `cpu` vCPU (ECS and Batch give tasks every registered vCPU) and room for the
    agent and the system beside `memory` (GPU_INSTANCE_MEMORY_SHARE). None when no size fits or the type
    is unknown (GPU_TYPES): the caller refuses with a located error."""
    fits = [
        (i.gpus, i.vcpu, i.memory, name)
        for name, i in GPU_INSTANCES.get(gpu.type, {}).items()
        if i.gpus >= gpu.count and i.vcpu >= cpu and memory <= i.memory * GPU_INSTANCE_MEMORY_SHARE
    ]
    return min(fits)[-1] if fits else None
