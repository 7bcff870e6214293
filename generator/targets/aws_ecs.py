"""AWS ECS on Fargate behind an ALB: limits and the template context."""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import aws_common, common
from .base import EmulatorDrift, EmulatorGap, ReadmeFacts, Starter, Target, yaml_scalar

NAME = "aws-ecs"

# Fargate task sizes: vCPU -> allowed memory (MiB).
FARGATE_MEMORY = {
    0.25: (512, 1024, 2048),
    0.5: tuple(range(1024, 4097, 1024)),
    1.0: tuple(range(2048, 8193, 1024)),
    2.0: tuple(range(4096, 16385, 1024)),
    4.0: tuple(range(8192, 30721, 1024)),
    8.0: tuple(range(16384, 61441, 4096)),
    16.0: tuple(range(32768, 122881, 8192)),
}

# A created VPC is cut into four equal subnets (two private, two public for the
# NAT gateways and an internet-facing ALB); an ALB subnet needs at least a /27.
VPC_PREFIX_MIN, VPC_PREFIX_MAX = 16, 24

CONTAINER_NAME = "app"
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 and 1.2 only, forward-secret ciphers
TARGET_GROUP_PREFIX_MAX = 6
DEFAULT_UTILISATION_TARGET = 75  # percent, CPU and memory, when the spec names no scaling signal
ALARM_PERIOD_SECONDS = 60
ALARM_EVALUATION_PERIODS = 5
ALARM_DATAPOINTS = 3  # 3 of the last 5 minutes: a blip does not page, a trend does


# Issue 13 #1: a refusal rather than step scaling on the ALB's request count.
# Scaling 0 -> 1 on an alarm would answer every first request after an idle
# spell with a 503 for the alarm's minute plus a Fargate start plus the model
# load (minutes), which a client cannot tell from an outage.
SCALE_FROM_ZERO_REFUSAL = (
    "ECS on Fargate cannot start from zero tasks: its scaling policies need metrics that only running tasks "
    "produce, so the load balancer would answer 503 until someone sets the count by hand; use scaling.min: 1 "
    "or more (or a serverless target, which scales to zero on requests)"
)


# Without container.startup_seconds the grace period stays ECS's usual 60 s.
DEFAULT_GRACE_SECONDS = 60
HEALTHY_THRESHOLD = 2  # the target group's healthy_threshold (load_balancer.tf.j2)

# resources.spot: this many tasks always on regular Fargate, the rest split by weight.
SPOT_STRATEGY = {"base": 1, "fargate_weight": 1, "spot_weight": 3}

# resources.gpu: the service runs on EC2 instances from the ECS GPU-optimised AMI
# (Amazon Linux 2023; Amazon Linux 2 reached its end of support in June 2026).
GPU_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
GPU_WARMUP_SECONDS = 300  # boot, NVIDIA driver load and ECS agent registration of a GPU instance
EC2_TASK_CPU_MIN = 0.125  # 128 CPU units, the smallest task-level cpu on EC2
GPU_ARM64_REFUSAL = (
    "the ECS GPU-optimised AMI is x86_64 only, so GPU tasks run on x86_64 (NVIDIA) instances; "
    "remove resources.architecture: arm64 or resources.gpu"
)


def grace_period_seconds(spec: Spec) -> int:
    """The model-load window plus the health checks the target group needs to mark the task healthy."""
    if spec.container.startup_seconds is None:
        return DEFAULT_GRACE_SECONDS
    return max(
        DEFAULT_GRACE_SECONDS, spec.container.startup_seconds + HEALTHY_THRESHOLD * spec.container.health.interval
    )


def _memory_words(allowed: tuple[int, ...]) -> str:
    if len(allowed) <= 3:
        return ", ".join(map(str, allowed))
    return f"{allowed[0]}-{allowed[-1]} in steps of {allowed[1] - allowed[0]}"


def _check_created_vpc(spec: Spec) -> list[common.Finding]:
    network = ipaddress.ip_network(spec.network.cidr, strict=False)
    if str(network) != spec.network.cidr:
        return [(("network", "cidr"), f"`{spec.network.cidr}` has host bits set; use {network}")]
    if not VPC_PREFIX_MIN <= network.prefixlen <= VPC_PREFIX_MAX:
        return [
            (
                ("network", "cidr"),
                f"a created VPC needs a /{VPC_PREFIX_MIN} to /{VPC_PREFIX_MAX} range (it is split into four subnets); got /{network.prefixlen}",
            )
        ]
    return []


def _check_gpu(spec: Spec) -> list[common.Finding]:
    """resources.gpu on EC2: a known GPU type, an instance of its family that fits, the 0.125 vCPU EC2 minimum, no arm64."""
    gpu, r = spec.resources.gpu, spec.resources
    assert gpu is not None
    found: list[common.Finding] = []
    if r.architecture == "arm64":
        found.append((("resources", "architecture"), GPU_ARM64_REFUSAL))
    if r.cpu < EC2_TASK_CPU_MIN:
        found.append(
            (("resources", "cpu"), f"an ECS task on EC2 needs at least {EC2_TASK_CPU_MIN:g} vCPU; got {r.cpu:g}")
        )
    family = aws_common.gpu_instance_family(gpu.type)
    if family is None:
        found.append(
            (
                ("resources", "gpu", "type"),
                f"ECS GPU instances carry {', '.join(aws_common.GPU_TYPES)}; got {gpu.type}",
            )
        )
    elif aws_common.gpu_instance_type(gpu, r.cpu, r.memory) is None:
        sizes = aws_common.GPU_INSTANCES[gpu.type]
        most_gpus = max(i.gpus for i in sizes.values())
        if gpu.count > most_gpus:
            found.append(
                (
                    ("resources", "gpu", "count"),
                    f"{family} instances ({gpu.type}) have at most {most_gpus} GPUs; got {gpu.count}",
                )
            )
        else:
            vcpu, installed, largest = max((i.vcpu, i.memory, name) for name, i in sizes.items() if i.gpus >= gpu.count)
            share = round(aws_common.GPU_INSTANCE_MEMORY_SHARE * 100)
            found.append(
                (
                    ("resources", "cpu" if r.cpu > vcpu else "memory"),
                    f"no {family} instance with {gpu.count} {gpu.type} GPU(s) has {r.cpu:g} vCPU and room for "
                    f"{r.memory} MiB (a task gets at most {share}% of an instance's memory; the rest is the ECS "
                    f"agent's and the system's); the largest, {largest}, has {vcpu} vCPU and {installed} MiB",
                )
            )
    return found


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(spec, 29, "ALB and target group names are at most 32 characters")
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if spec.resources.gpu is not None:
        found += _check_gpu(spec)  # EC2 instances: no Fargate size table
    elif cpu not in FARGATE_MEMORY:
        found.append(
            (("resources", "cpu"), f"Fargate supports cpu {', '.join(f'{c:g}' for c in FARGATE_MEMORY)}; got {cpu:g}")
        )
    elif memory not in FARGATE_MEMORY[cpu]:
        found.append(
            (
                ("resources", "memory"),
                f"Fargate with {cpu:g} vCPU needs memory {_memory_words(FARGATE_MEMORY[cpu])} MiB; got {memory}",
            )
        )
    if spec.scaling.min == 0:
        found.append((("scaling", "min"), SCALE_FROM_ZERO_REFUSAL))
    if spec.name.startswith("internal-"):
        found.append((("name",), "an ALB name cannot begin with `internal-`"))
    if spec.network.public and "certificate_arn" not in settings:
        found.append((("targets", NAME), "a public service needs `certificate_arn` (the ALB only serves HTTPS)"))
    if spec.network.vpc == "existing":
        net = settings.get("network")
        if net is None:
            found.append(
                (("targets", NAME), "network.vpc is `existing`: give `network` with vpc_id and private_subnet_ids")
            )
        elif spec.network.public and len(net.get("public_subnet_ids", ())) < 2:
            found.append(
                (
                    ("targets", NAME, "network"),
                    "a public ALB in an existing VPC needs `public_subnet_ids` (two or more)",
                )
            )
        elif not spec.network.public and len(net["private_subnet_ids"]) < 2:
            found.append(
                (
                    ("targets", NAME, "network", "private_subnet_ids"),
                    "an internal ALB needs subnets in two Availability Zones: give two or more private_subnet_ids",
                )
            )
    else:
        if "network" in settings:
            found.append(
                (
                    ("targets", NAME, "network"),
                    "only used when network.vpc is `existing`; remove it or set network.vpc: existing",
                )
            )
        found += _check_created_vpc(spec)
    found += aws_common.check_secret_names(spec)
    found += common.check_cloudwatch_retention(spec)
    found += common.check_model_readable(spec, NAME, "s3", "ECS's IAM role")
    found += aws_common.check_sids(spec)
    found += common.check_compute(spec, "ECS on Fargate")
    return found


def _network(spec: Spec) -> dict[str, Any]:
    """Where things go: subnets computed here for a created VPC, or the given ids."""
    if spec.network.vpc == "existing":
        net = spec.target(NAME)["network"]
        private = list(net["private_subnet_ids"])
        public = list(net.get("public_subnet_ids", ()))
        return {
            "create_vpc": False,
            "vpc_id": net["vpc_id"],
            "private_subnet_ids": private,
            "alb_subnet_ids": public if spec.network.public else private,
        }
    return {
        "create_vpc": True,
        "vpc_cidr": spec.network.cidr,
        "vpc_id": hcl.Expr("aws_vpc.this.id"),
        "private_subnet_ids": hcl.Expr("aws_subnet.private[*].id"),
        "alb_subnet_ids": hcl.Expr("aws_subnet.public[*].id" if spec.network.public else "aws_subnet.private[*].id"),
    }


def _created_vpc(spec: Spec, names: dict[str, str], retention: int) -> dict[str, Any]:
    """Context of the shared AWS network partials (templates/_shared/aws/) for a created VPC."""
    if spec.network.vpc != "create":
        return {}
    cidrs = aws_common.subnet_cidrs(spec.network.cidr)
    zone_name = "${data.aws_availability_zones.available.names[count.index]}"
    return {
        "aws_network": {
            "zone_count": aws_common.ZONES,
            "private_subnet_cidr": aws_common.listed_subnet_cidr(cidrs["private"]),
            "public_subnet_cidr": aws_common.listed_subnet_cidr(cidrs["public"]),
            "private_subnet_name": hcl.Expr(f'"${{aws_vpc.this.tags.Name}}-private-{zone_name}"'),
            "public_subnet_name": hcl.Expr(f'"${{aws_vpc.this.tags.Name}}-public-{zone_name}"'),
        },
        "flow_logs": aws_common.flow_logs(
            names["flow_log_group"], retention, names["flow_log_role"], "write-flow-logs"
        ),
    }


def _container(spec: Spec) -> dict[str, Any]:
    c = spec.container
    return {
        "name": CONTAINER_NAME,
        "image": c.image,
        # The spec's `command` replaces the entrypoint and `args` follow it,
        # as in Kubernetes and Cloud Run; ECS calls these entryPoint/command.
        "entry_point": list(c.command),
        "command": list(c.args),
        "environment": dict(c.env),
        "port": c.port,
    }


def _utilisation_policies(spec: Spec) -> list[dict[str, Any]]:
    """Target tracking on CPU (scaling.cpu_target), or, when the spec names no signal at all,
    on CPU and memory at DEFAULT_UTILISATION_TARGET% (issue 13 #4: a service must scale by default)."""
    cpu = {"key": "cpu", "name": "cpu-target", "metric": "ECSServiceAverageCPUUtilization"}
    if spec.scaling.cpu_target is not None:
        return [
            {**cpu, "target": spec.scaling.cpu_target, "why": "scaling.cpu_target: average CPU of the service's tasks."}
        ]
    if spec.scaling.concurrency is not None:
        return []
    why = (
        f"No scaling.cpu_target or scaling.concurrency: CPU and memory at {DEFAULT_UTILISATION_TARGET}%, as "
        "terraform-aws-modules/ecs does (a task scales out when either is high, in when both are low)."
    )
    return [
        {**cpu, "target": DEFAULT_UTILISATION_TARGET, "why": why},
        {
            "key": "memory",
            "name": "memory-target",
            "metric": "ECSServiceAverageMemoryUtilization",
            "target": DEFAULT_UTILISATION_TARGET,
            "why": why,
        },
    ]


def _alarms(spec: Spec) -> dict[str, Any]:
    a = spec.observability.alarms
    return {
        "names": {
            metric: f"{spec.name}-{metric.replace('_', '-')}"
            for metric in ("cpu", "memory", "error_rate", "latency", "no_healthy_task", "running_tasks")
        },
        "descriptions": {
            "cpu": f"Service CPU above {a.cpu_percent}% (observability.alarms.cpu_percent)",
            "memory": f"Service memory above {a.memory_percent}% (observability.alarms.memory_percent)",
            "error_rate": f"5xx responses (the tasks' and the ALB's own) above {a.error_rate_percent:g}% of requests "
            "(observability.alarms.error_rate_percent)"
            if a.error_rate_percent is not None
            else None,
            "latency": f"p99 target response time above {a.latency_p99_ms} ms (observability.alarms.latency_p99_ms)",
            "no_healthy_task": "No task passes the load balancer's health check: the ALB answers every request with 503",
            "running_tasks": f"Fewer than {spec.scaling.min} running tasks (scaling.min): tasks are failing to start or stay up",
        },
        "min_tasks": spec.scaling.min,
        "cpu_percent": a.cpu_percent,
        "memory_percent": a.memory_percent,
        "error_rate_percent": a.error_rate_percent,
        # TargetResponseTime is reported in seconds.
        "latency_p99_seconds": None if a.latency_p99_ms is None else a.latency_p99_ms / 1000,
        "latency_p99_ms": a.latency_p99_ms,
        # The outage alarms (no healthy task, too few running tasks) need no threshold: always there.
        "any": True,
        "period": ALARM_PERIOD_SECONDS,
        "evaluation_periods": ALARM_EVALUATION_PERIODS,
        "datapoints": ALARM_DATAPOINTS,
    }


def _told(spec: Spec) -> str:
    """Who the alarms notify, in words ("" for nobody)."""
    emails, topics = len(spec.observability.notify_emails), len(spec.target(NAME).get("alarm_topic_arns", ()))
    parts = ([f"{_plural(emails, 'email subscription')} (observability.notify_emails)"] if emails else []) + (
        [f"{_plural(topics, 'existing topic')} (alarm_topic_arns)"] if topics else []
    )
    return "with " + " and ".join(parts) if parts else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def readme(spec: Spec, context: dict[str, Any] | None = None) -> ReadmeFacts:
    """What the module creates and what its user must know, for README.md."""
    https = "certificate_arn" in spec.target(NAME)
    ecr = aws_common.ecr_repository(spec.container.image or "") is not None
    days = spec.observability.log_retention_days
    secrets = len(spec.container.secrets)
    scaling, alarms, health = spec.scaling, spec.observability.alarms, spec.container.health
    task_grants = (["X-Ray write"] if spec.observability.tracing else []) + aws_common.app_permission_words(
        aws_common.app_permissions(spec)
    )
    execution_grants = (
        (["ECR pull of the image's repository"] if ecr else [])
        + ["log writes"]
        + (["reading the named secrets"] if secrets else [])
    )
    listener = (
        f"HTTPS on the given certificate (TLS policy {TLS_POLICY}) and an HTTP to HTTPS redirect"
        if https
        else "an HTTP listener (no certificate_arn given)"
    )
    gpu = _gpu_capacity(spec)
    launch = "EC2" if gpu else "Fargate"
    creates = [
        "An ECS cluster with Container Insights; ECS Exec is off on the service, and its sessions would be logged encrypted if an operator enabled it.",
        f"{'An' if gpu else 'A'} {launch} task definition: {spec.resources.cpu:g} vCPU, {spec.resources.memory} MiB"
        + (", ARM64 (Graviton)" if spec.resources.architecture == "arm64" else "")
        + (f", {_plural(gpu['count'], 'GPU')} ({gpu['type']}, a GPU resource requirement)" if gpu else "")
        + f", read-only root filesystem with writable {', '.join(spec.container.writable_paths)} "
        + (
            "(host paths on the instance's encrypted root volume, one set per task)"
            if gpu
            else "(task ephemeral storage)"
        )
        + f", awslogs to a KMS-encrypted log group kept {days} days"
        + (f", {_plural(secrets, 'secret')} injected from Secrets Manager by ARN (never a value)" if secrets else "")
        + ".",
        f"Separate IAM roles: an execution role ({', '.join(execution_grants)}) and a task role for the application"
        + (f" ({'; '.join(task_grants)})." if task_grants else " (no permissions)."),
        f"{'An' if gpu else 'A'} {launch} service ({_plural(scaling.min, 'task')} at creation) in private subnets without public IPs, "
        f"with the deployment circuit breaker and automatic rollback; ECS ignores the load balancer's health verdict for "
        f"{grace_period_seconds(spec)} s after a task starts"
        + (
            f" (container.startup_seconds {spec.container.startup_seconds} s to load the model, plus {HEALTHY_THRESHOLD} health checks)"
            if spec.container.startup_seconds is not None
            else ""
        )
        + (
            f"; one task always on {'on-demand GPU instances' if gpu else 'regular Fargate'}, the rest "
            f"{SPOT_STRATEGY['spot_weight']}:{SPOT_STRATEGY['fargate_weight']} "
            f"on {'Spot GPU instances' if gpu else 'Fargate Spot'} (resources.spot), which AWS may interrupt with "
            "two minutes' notice"
            if spec.resources.spot
            else ""
        )
        + ".",
        *(_gpu_creates(gpu) if gpu else []),
        f"{'An internet-facing' if spec.network.public else 'An internal'} Application Load Balancer with {listener}; invalid headers dropped, "
        f"strictest desync mitigation, access logs to a dedicated S3 bucket (SSE-S3, versioned, public access blocked, TLS only, expired after {days} days).",
        f"A target group (IP targets) whose HTTP health check on {health.path} every {health.interval} s decides task health.",
        f"Security groups: the ALB accepts only {', '.join(sorted(spec.network.allowed_cidrs))}; tasks accept only the ALB, "
        f"on port {spec.container.port}, and send only HTTPS out.",
    ]
    if spec.network.vpc == "create":
        creates.append(
            f"A VPC ({spec.network.cidr}) with private and public subnets in two Availability Zones, one NAT gateway per zone, "
            "VPC flow logs to a KMS-encrypted log group, and the default security group stripped of all rules."
        )
    if spec.network.public:
        creates.append(
            "A WAF web ACL on the ALB (AWS common, known-bad-inputs, IP reputation and anonymous-IP rule groups), "
            "logging to a KMS-encrypted log group."
        )
    policies = [
        f"{p['metric'].removeprefix('ECSServiceAverage').removesuffix('Utilization')} at {p['target']}%"
        for p in _utilisation_policies(spec)
    ] + ([f"{scaling.concurrency} in-flight requests per task"] if scaling.concurrency is not None else [])
    creates.append(
        f"Application Auto Scaling between {scaling.min} and {scaling.max} tasks, target tracking on "
        f"{' and on '.join(policies)}"
        + (
            " (the default: the spec sets neither scaling.cpu_target nor scaling.concurrency)."
            if scaling.cpu_target is None and scaling.concurrency is None
            else "."
        )
    )
    thresholds = [
        text
        for value, text in (
            (alarms.cpu_percent, f"CPU above {alarms.cpu_percent}%"),
            (alarms.memory_percent, f"memory above {alarms.memory_percent}%"),
            (
                alarms.error_rate_percent,
                f"5xx responses, the ALB's own included, above {alarms.error_rate_percent or 0:g}% of requests",
            ),
            (alarms.latency_p99_ms, f"p99 latency above {alarms.latency_p99_ms} ms"),
        )
        if value is not None
    ] + ["no healthy task behind the ALB", f"fewer than {scaling.min} running tasks"]
    if thresholds:
        told = _told(spec)
        creates.append(
            f"CloudWatch alarms ({', '.join(thresholds)}) notifying a KMS-encrypted SNS topic"
            + (
                f", {told}."
                if told
                else " that nobody is subscribed to (set observability.notify_emails or "
                "targets.aws-ecs.alarm_topic_arns)."
            )
        )
    creates.append(
        "One customer-managed KMS key (rotation on) for the log groups"
        + (", the SNS topic" if thresholds else "")
        + " and Exec sessions."
    )

    notes = []
    if secrets:
        notes.append(
            "Secrets are referenced by partial ARN (arn:...:secret:NAME, without the random suffix), which ECS resolves "
            "when a task starts, so planning needs no secret to exist. Create each secret in this account and Region "
            "before the first task starts; the execution role may read exactly those names."
        )
    notes += [
        "Task health is the ALB target-group check, which ECS acts on. The task definition has no container healthCheck: "
        "it would run inside the image, and an image without curl or a shell would fail it and be replaced in a loop.",
        "Tasks reach the image registry and AWS APIs through NAT gateways (or the existing VPC's egress), not VPC endpoints, "
        "because the image may live outside AWS. Only ECR or public images can be pulled: tfgen sets no registry credentials.",
        "The task count starts at scaling.min; afterwards Application Auto Scaling owns it (Terraform ignores desired_count changes).",
        "The access-log bucket is not force-destroyed: empty it before terraform destroy, or keep the logs by removing it from state first.",
    ]
    if scaling.concurrency is not None:
        notes.append(
            f"scaling.concurrency ({scaling.concurrency}) means in-flight requests per task, as on every target. The ALB "
            "reports no such metric, so the policy tracks an estimate made each minute by Little's law: "
            "RequestCountPerTarget (a per-minute sum) / 60 x mean TargetResponseTime (seconds). Unlike Cloud Run's "
            "concurrency it is a scaling target, not a cap: a task may hold more requests while new tasks start. "
            "A minute without requests counts as 0 in flight, so an idle service scales in to scaling.min."
        )
    if not https:
        notes.append(
            "Without targets.aws-ecs.certificate_arn the internal ALB speaks plain HTTP inside the VPC. "
            "Give a certificate (e.g. from ACM Private CA) to get HTTPS with a redirect."
        )
    if spec.observability.tracing:
        notes.append(
            "How spans leave the task: observability.tracing grants the task role X-Ray write access "
            "(xray:PutTraceSegments, xray:PutTelemetryRecords), but tfgen adds no collector sidecar and there is no X-Ray "
            "daemon at 127.0.0.1:2000. An X-Ray SDK or an OpenTelemetry exporter that sends to a local daemon or "
            "collector loses every span. The image must carry its own collector (e.g. the AWS Distro for OpenTelemetry "
            "collector, started beside the model server) or the application must call the X-Ray API directly with "
            "the task role's credentials; either leaves through the NAT gateways over HTTPS."
        )
    notes += aws_common.app_permission_notes(spec)
    if thresholds:
        notes.append(
            "An alarm fires when 3 of the last 5 one-minute periods breach its threshold; missing data counts as healthy, "
            "except for the running-task alarm (Container Insights reports nothing when no task runs). "
            "Each address in observability.notify_emails gets a confirmation email from SNS and receives alarms only "
            "once it confirms; a topic in alarm_topic_arns must let cloudwatch.amazonaws.com publish to it."
        )
    if gpu:
        notes += _gpu_notes(gpu)
    return ReadmeFacts("AWS ECS on EC2 GPU instances" if gpu else "AWS ECS on Fargate", tuple(creates), tuple(notes))


def _gpu_creates(gpu: dict[str, Any]) -> list[str]:
    """README "What it creates" items of the GPU capacity (resources.gpu)."""
    return [
        f"EC2 GPU capacity for the tasks: {gpu['instance_type']} instances ({_plural(gpu['instance_gpus'], 'GPU')}, "
        f"{gpu['type']}) from the ECS GPU-optimised Amazon Linux 2023 AMI (read from the public SSM parameter "
        f"{gpu['ami_parameter']} at every plan), IMDSv2 only with one hop, a {gpu['root_volume_gib']} GiB encrypted gp3 "
        "root volume, and user data that joins the cluster and blocks the tasks' access to the instance metadata.",
        (
            f"Two Auto Scaling groups of 0 to {gpu['max_instances']} instances each, on-demand and Spot (price-capacity-"
            "optimized, capacity rebalancing; the ECS agent drains an instance on its interruption notice)"
            if gpu["spot"]
            else f"An Auto Scaling group of 0 to {gpu['max_instances']} instances"
        )
        + " in the private subnets, protected from scale-in, with a rolling instance refresh when the launch template "
        "changes (a newer AMI), and "
        + ("an ECS capacity provider for each" if gpu["spot"] else "an ECS capacity provider")
        + " with managed scaling (target capacity 100 %), managed termination protection and managed draining; the "
        "cluster's default strategy and the service use " + ("them." if gpu["spot"] else "it."),
        "An instance role for the ECS agent only (register with this cluster, submit state changes, poll), and a "
        "security group for the instances with no inbound rule and HTTPS out.",
    ]


def _gpu_notes(gpu: dict[str, Any]) -> list[str]:
    """README notes of the GPU capacity (resources.gpu)."""
    share = round(aws_common.GPU_INSTANCE_MEMORY_SHARE * 100)
    return [
        f"Instance type: {gpu['instance_type']} is the smallest {gpu['type']} instance with {_plural(gpu['count'], 'GPU')}, "
        f"resources.cpu vCPU and room for resources.memory (a task gets at most {share} % of an instance's memory; the "
        "ECS agent, Docker and the kernel keep the rest). Each task holds whole GPUs, so an instance runs as many "
        "tasks as its GPUs, vCPUs, memory and network interfaces allow (awsvpc: one interface per task).",
        "A new task may wait for an instance: when none has room, the capacity provider starts one, which takes a few "
        "minutes (boot, NVIDIA driver, ECS agent) before the model-load window even begins. scaling.min tasks keep "
        "their instances running.",
        ("Each Auto Scaling group's maximum" if gpu["spot"] else "The Auto Scaling group's maximum")
        + f" ({gpu['max_instances']}) is twice scaling.max: a deploy starts the new "
        "tasks beside the old (deployment_maximum_percent 200) before stopping them.",
        "terraform destroy deletes the Auto Scaling group with force_delete, ending its instances despite their "
        "scale-in protection once the service is gone; the cluster is deleted when they have deregistered.",
    ]


def _skips(spec: Spec, https: bool) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    days = spec.observability.log_retention_days
    reasons = {
        "alb_deletion_protection": "the ALB holds no data and is recreated from this module in minutes; deletion protection "
        "would make terraform destroy fail",
        "log_bucket_kms": "ALB access-log delivery supports only SSE-S3, not SSE-KMS",
        "log_bucket_logging": "this bucket holds access logs itself; logging it would need a second log bucket for no added audit value",
        "log_bucket_replication": "access logs are kept in one Region with the spec's retention; a replica would double the log "
        "store for no recovery need",
        "log_bucket_events": "nothing consumes new-object events for access logs; the ALB is their only writer",
        "availability_zones": "only the first two zones are used (names[0], names[1]); a zone AWS adds later sorts after them "
        "and changes nothing here",
    }
    if not https:
        # With HTTPS, CKV_AWS_378 passes on the HTTPS listener the target group is attached to: no skip.
        reasons["target_group_http"] = (
            "the hop to the task stays inside the VPC between security groups, and the model server has no certificate"
        )
        reasons["http_redirect"] = (
            "internal ALB without a certificate_arn in the spec has no HTTPS listener to redirect to"
        )
        reasons["http_listener"] = (
            "internal ALB without a certificate_arn in the spec; HTTP stays inside the VPC, limited to "
            "network.allowed_cidrs"
        )
        reasons["http_listener_tls"] = "no TLS listener without a certificate_arn; internal HTTP only"
    if days < 365:
        reasons["retention"] = (
            f"retention is the spec's observability.log_retention_days ({days} days), a deliberate choice"
        )
    if "0.0.0.0/0" in spec.network.allowed_cidrs:
        reasons["open_http"] = (
            "network.allowed_cidrs includes 0.0.0.0/0 and port 80 only answers with a redirect to HTTPS"
        )
    # Checkov's unrestricted-ingress checks for ports 22, 80 and 3389 count a rule without a CIDR
    # as open to all: they do not know referenced_security_group_id (issue 10 #16)
    misread = {22: "service_from_alb_22", 80: "service_from_alb_80", 3389: "service_from_alb_3389"}.get(
        spec.container.port
    )
    if misread:
        reasons[misread] = (
            f"the rule admits only the ALB's security group (referenced_security_group_id) on container "
            f"port {spec.container.port}, no CIDR; the check reads a rule without a CIDR as open to 0.0.0.0/0"
        )
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def _gpu_capacity(spec: Spec) -> dict[str, Any] | None:
    """Context of capacity.tf.j2: the EC2 GPU instances a capacity provider scales (None without resources.gpu)."""
    gpu = spec.resources.gpu
    if gpu is None:
        return None
    instance_type = aws_common.gpu_instance_type(gpu, spec.resources.cpu, spec.resources.memory)
    assert instance_type is not None  # check() refused a spec no instance fits
    instance = aws_common.GPU_INSTANCES[gpu.type][instance_type]
    n = spec.name
    return {
        "type": gpu.type,
        "count": gpu.count,
        "instance_type": instance_type,
        "instance_gpus": instance.gpus,
        # for a comment: tfgen's own table words (check() admits only the GPU types of GPU_INSTANCES)
        "instance_words": hcl.Expr(f"{instance_type} ({instance.gpus} x {gpu.type})"),
        "ami_parameter": GPU_AMI_PARAMETER,
        "root_volume_gib": aws_common.GPU_ROOT_VOLUME_GIB,
        "warmup_seconds": GPU_WARMUP_SECONDS,
        # One task per instance at most counted, twice scaling.max: a deploy at 200% runs old and new side by side.
        "max_instances": 2 * spec.scaling.max,
        # resources.spot: a second, Spot, group beside the on-demand one (pools)
        "spot": spec.resources.spot,
        "description": f"GPU container instances of {n} ({instance_type})",
        "names": {
            "instance_role": f"{n}-instance",
            "instance_profile": f"{n}-instance",
            "instance_sg": f"{n}-instance",
            "launch_template": f"{n}-gpu",
            "instance": f"{n}-gpu",
        },
        # Capacity providers and their Auto Scaling groups: on-demand, and with resources.spot a Spot
        # group beside it, split as on Fargate (SPOT_STRATEGY). A capacity provider's name may not
        # begin with aws, ecs or fargate.
        "pools": [
            {
                "key": "gpu",
                "spot": False,
                "group_name": f"{n}-gpu",
                "capacity_provider": f"gpu-{n}",
                "base": SPOT_STRATEGY["base"] if spec.resources.spot else None,
                "weight": SPOT_STRATEGY["fargate_weight"] if spec.resources.spot else 1,
            },
            *(
                [
                    {
                        "key": "gpu_spot",
                        "spot": True,
                        "group_name": f"{n}-gpu-spot",
                        "capacity_provider": f"gpu-spot-{n}",
                        "base": None,
                        "weight": SPOT_STRATEGY["spot_weight"],
                    }
                ]
                if spec.resources.spot
                else []
            ),
        ],
    }


def _names(spec: Spec) -> dict[str, str]:
    n = spec.name
    return {
        "cluster": n,
        "service": n,
        "alb": n,
        # name_prefix is at most 6 characters; AWS appends a unique suffix (issue 13 #7).
        "target_group_prefix": n[: TARGET_GROUP_PREFIX_MAX - 1].rstrip("-") + "-",
        "task_family": n,
        "log_group": f"/ecs/{n}",
        "flow_log_group": f"/vpc/{n}/flow-logs",
        "waf_log_group": f"aws-waf-logs-{n}",  # WAF logs only to groups with this prefix
        "kms_alias": f"alias/{n}",
        "kms_description": f"Logs and notifications of {n}",
        "alb_logs_bucket_prefix": f"{n}-alb-",  # bucket_prefix is at most 37 characters
        "execution_role": f"{n}-execution",
        "task_role": f"{n}-task",
        "flow_log_role": f"{n}-flow-logs",
        "alb_sg": f"{n}-alb",
        "service_sg": f"{n}-service",
        "alarm_topic": f"{n}-alarms",
        "waf": f"{n}-alb",
    }


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    certificate_arn = settings.get("certificate_arn")
    https = certificate_arn is not None
    retention = spec.observability.log_retention_days
    names = _names(spec)
    alarms = _alarms(spec)
    ecr = aws_common.ecr_repository(spec.container.image or "")
    log_groups = [names["log_group"]]
    if spec.network.vpc == "create":
        log_groups.append(names["flow_log_group"])
    if spec.network.public:
        log_groups.append(names["waf_log_group"])
    return {
        **common.base_context(spec),
        "names": names,
        "region": settings["region"],
        "memory": spec.resources.memory,
        "public": spec.network.public,
        "https": https,
        "certificate_arn": certificate_arn,
        "tls_policy": TLS_POLICY,
        "allowed_cidrs": sorted(spec.network.allowed_cidrs),
        "http_rule_description": "HTTP from an allowed range" + (" (redirected to HTTPS)" if https else ""),
        "network": _network(spec),
        **_created_vpc(spec, names, retention),
        "container": _container(spec),
        "secrets": dict(spec.container.secrets),
        "ecr": ecr,
        "cpu_units": int(spec.resources.cpu * 1024),
        "cpu_architecture": "ARM64" if spec.resources.architecture == "arm64" else "X86_64",
        "writable_volumes": aws_common.writable_volumes(spec),
        "grace_period_seconds": grace_period_seconds(spec),
        # Fargate Spot; with resources.gpu, Spot is a second group of GPU instances (gpu.pools)
        "spot": SPOT_STRATEGY if spec.resources.spot and spec.resources.gpu is None else None,
        "gpu": _gpu_capacity(spec),
        "health": spec.container.health,
        "log_retention_days": retention,
        "app": aws_common.app_permissions(spec),
        "skip": _skips(spec, https),
        "encrypted_log_groups": sorted(log_groups),  # the KMS key serves these and no others
        "scaling": {
            "min": spec.scaling.min,
            "max": spec.scaling.max,
            "utilisation": _utilisation_policies(spec),
            "concurrency": spec.scaling.concurrency,
        },
        "tracing": spec.observability.tracing,
        "alarms": alarms,
        "notify": aws_common.alarm_notify(spec, NAME, "aws_sns_topic.alarms.arn"),
        "outputs": {
            "service_url": hcl.Expr(
                '"https://${aws_lb.this.dns_name}"' if https else '"http://${aws_lb.this.dns_name}"'
            ),
        },
    }


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region"],
    "properties": {
        "region": {"$ref": "#/$defs/region"},
        "certificate_arn": {
            "description": "ACM certificate for the HTTPS listener; required when network.public is true.",
            "type": "string",
            "pattern": "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$",
        },
        "network": {"$ref": "#/$defs/awsNetwork"},
        "alarm_topic_arns": aws_common.ALARM_TOPIC_ARNS_SCHEMA,
    },
}

_IMAGE = "ghcr.io/example/model:1.0"
_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1234-5678-9abc-def012345678"
VARIANTS = {
    "minimal": {
        "name": "ecs-minimal",
        "container": {"image": _IMAGE},
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "public": {
        "name": "ecs-public",
        "container": {"image": _IMAGE},
        "network": {"public": True, "allowed_cidrs": ["0.0.0.0/0"]},
        "targets": {NAME: {"region": "us-east-1", "certificate_arn": _CERT}},
    },
    "existing-network": {
        "name": "ecs-existing",
        "container": {"image": _IMAGE},
        "network": {"vpc": "existing"},
        "targets": {
            NAME: {
                "region": "us-east-1",
                "network": {
                    "vpc_id": "vpc-0123456789abcdef0",
                    "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                },
            }
        },
    },
    # an internet-facing ALB in the user's own public subnets (its own branch of the network mapping)
    "existing-network-public": {
        "name": "ecs-existing-public",
        "container": {"image": _IMAGE},
        "network": {"vpc": "existing", "public": True, "allowed_cidrs": ["203.0.113.0/24"]},
        "targets": {
            NAME: {
                "region": "us-east-1",
                "certificate_arn": _CERT,
                "network": {
                    "vpc_id": "vpc-0123456789abcdef0",
                    "private_subnet_ids": ["subnet-0123456789abcdef0"],
                    "public_subnet_ids": ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
                },
            }
        },
    },
    # resources.gpu: EC2 GPU instances behind a capacity provider instead of Fargate
    "gpu": {
        "name": "ecs-gpu",
        "container": {"image": _IMAGE, "startup_seconds": 180, "writable_paths": ["/tmp", "/home/app/.cache"]},
        "resources": {"cpu": 4, "memory": 14336, "gpu": {"type": "nvidia-t4", "count": 1}},
        "scaling": {"min": 1, "max": 2},
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "all-features": {
        "name": "ecs-full",
        "description": "every optional feature of aws-ecs",
        "labels": {"team": "ml"},
        "container": {
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/model:2.0.0",
            "port": 9000,
            "command": ["python", "-m", "serve"],
            "args": ["--port", "9000"],
            "env": {"MODEL_PATH": "/models/m.bin"},
            "secrets": {"API_KEY": "model-api-key"},
            "health_check": {"path": "/ready", "interval": 20, "timeout": 4},
            "startup_seconds": 90,
            "writable_paths": ["/tmp", "/home/app/.cache/huggingface"],
        },
        "resources": {"cpu": 2, "memory": 4096, "architecture": "arm64", "spot": True},
        "scaling": {"min": 2, "max": 8, "cpu_target": 60, "concurrency": 100},
        "network": {"public": True, "allowed_cidrs": ["203.0.113.0/24"], "cidr": "10.40.0.0/20"},
        "observability": {
            "log_retention_days": 365,
            "tracing": True,
            "alarms": {"cpu_percent": 80, "memory_percent": 80, "error_rate_percent": 2.5, "latency_p99_ms": 900},
            "notify_emails": ["oncall@example.com"],
        },
        "model": {
            "uri": "s3://example-models/ecs-full/v2/",
            "env": "MODEL_LOCATION",
            "kms_key": "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1234-5678-9abc-def012345678",
        },
        "permissions": {
            "capabilities": ["metrics"],
            "metrics_namespace": "ml/ecs-full",
            "aws": [
                {
                    "sid": "ReadFeatures",
                    "actions": ["dynamodb:GetItem", "dynamodb:Query"],
                    "resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/features"],
                    "conditions": [
                        {"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["us-east-1"]}
                    ],
                }
            ],
        },
        # targets.<t> may override container, resources, scaling and model for this target only
        "targets": {
            NAME: {
                "region": "us-east-1",
                "certificate_arn": _CERT,
                "alarm_topic_arns": ["arn:aws:sns:us-east-1:123456789012:pager"],
                "resources": {"memory": 8192},
            }
        },
        "state": {"backend": "s3", "bucket": "example-tfstate", "key": "ecs-full.tfstate", "region": "us-east-1"},
    },
}

STARTER = Starter(
    questions=(aws_common.REGION_QUESTION,),
    settings=lambda answers: [
        f"    region: {yaml_scalar(answers['region'])}",
        "    # certificate_arn: arn:aws:acm:...  # needed for HTTPS when network.public is true",
    ],
)

TARGET = Target(
    name=NAME,
    title="AWS ECS/Fargate",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(aws_common.AWS_PROVIDER,),
    schema=SCHEMA,
    schema_defs=aws_common.NETWORK_SCHEMA_DEFS,
    defaults={},
    check=check,
    context=context,
    readme=readme,
    emulator_gaps=(
        EmulatorGap(
            "enable_autoscaling",
            "ECS service auto scaling",
            ("aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"),
            "moto does not implement Application Auto Scaling ListTagsForResource",
        ),
    ),
    # Found by plan -> apply -> plan of the example with moto 5.2.5.
    emulator_drift=(
        EmulatorDrift(
            "aws_ecs_service",
            (
                "availability_zone_rebalancing",
                "enable_ecs_managed_tags",
                "health_check_grace_period_seconds",
                # resources.spot: moto does not give the strategy back, so the
                # provider would replace the service on every plan
                "capacity_provider_strategy",
                # resources.gpu: nor the placement strategy
                "ordered_placement_strategy",
            ),
        ),
        # resources.gpu, found the same way: moto reports the template's own tags as a
        # "launch-template" tag specification, and keeps no instance warm-up
        EmulatorDrift("aws_launch_template", ("tag_specifications",)),
        EmulatorDrift("aws_autoscaling_group", ("default_instance_warmup",)),
        *aws_common.SECURITY_GROUP_RULE_DRIFT,
    ),
    variants=VARIANTS,
    starter=STARTER,
    # a new image or size is a new revision; skip_destroy keeps the old one for rollback
    routine_replacements=("aws_ecs_task_definition",),
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, _alarms(spec)["any"], "alarm_topic_arns"),
    permission_cloud="aws",
)
