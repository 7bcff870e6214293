"""AWS Batch jobs (issue 17): limits and the template context.

A job reads its input from S3, writes results under an output prefix and
exits. The module renders what runs it: compute environments (Fargate,
Fargate Spot, or EC2 GPU instances on Spot with an on-demand fallback), one
job queue that tries Spot first, one job definition (the container, its
resources, the input/output/model locations as environment variables, a
job role that may read exactly the input and the model and write only under
the output prefix, retries and a timeout), an optional EventBridge Scheduler
schedule that submits it, and a rule plus alarms that tell the spec's
recipients when a job of this queue fails.
"""

from __future__ import annotations

import math
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import aws_common, common
from .base import EmulatorDrift, EmulatorGap, ReadmeFacts, Target, markdown

NAME = "aws-batch"


# Fargate's vCPU values and the memory (MiB) each allows: AWS Batch on Fargate takes exactly these pairs
# (resourceRequirements VCPU / MEMORY).
FARGATE_MEMORY: dict[float, tuple[int, ...]] = {
    0.25: (512, 1024, 2048),
    0.5: tuple(range(1024, 4097, 1024)),
    1: tuple(range(2048, 8193, 1024)),
    2: tuple(range(4096, 16385, 1024)),
    4: tuple(range(8192, 30721, 1024)),
    8: tuple(range(16384, 61441, 4096)),
    16: tuple(range(32768, 122881, 8192)),
}

# Default max_vcpus: enough for every child of an array job (or the one job) at once, at most this many.
DEFAULT_MAX_VCPUS_CAP = 256
MAX_VCPUS_LIMIT = 10000  # tfgen's schema bound; AWS accounts have their own (lower) vCPU quotas

# Reasons a Spot-reclaimed attempt reports (retried; anything else exits): EC2 Spot instances are
# reclaimed with "Host EC2 (instance i-...) terminated."; Fargate Spot tasks stop with
# "Your Spot Task was interrupted.".
SPOT_RECLAIM_REASONS = {"ec2": "Host EC2*", "fargate": "Your Spot Task was interrupted*"}

# EC2 GPU compute environments boot Amazon's ECS-optimised Amazon Linux 2023 AMI with NVIDIA drivers
# (AWS Batch stopped creating Amazon Linux 2 AMIs on 30 June 2026).
GPU_IMAGE_TYPE = "ECS_AL2023_NVIDIA"
# GPUs the AL2023 NVIDIA driver no longer supports (Volta: p3).
UNSUPPORTED_GPUS = {"nvidia-v100": "the ECS Amazon Linux 2023 NVIDIA AMI's driver does not support V100 (Volta) GPUs"}

ALARM_PERIOD_SECONDS = 300

# Jobs stuck RUNNABLE for a reason that will not pass are cancelled (and so reported as failed) after
# this long, instead of waiting silently forever: capacity Spot or the Region may find later, a
# misconfiguration never fixes itself. AWS Batch takes 600-86400 s.
RUNNABLE_LIMITS = (
    ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", 4 * 3600),
    ("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", 600),
    ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", 600),
)

# Statement ids of the job role's own statements (beside aws_common.RESERVED_SIDS).
OWN_SIDS = frozenset({"ReadInput", "ListInputPrefix", "WriteOutput"})

# Spot capacity types per compute platform.
SPOT_TYPE = {"fargate": "FARGATE_SPOT", "ec2": "SPOT"}
ON_DEMAND_TYPE = {"fargate": "FARGATE", "ec2": "EC2"}


def _gpu_instance(spec: Spec) -> tuple[str, int, int] | None:
    """(instance type, its vCPUs, its GPUs) a GPU job runs on (aws_common's mapping, shared with ECS);
    None when no size of the GPU's family fits resources."""
    gpu = spec.resources.gpu
    if gpu is None:
        return None
    name = aws_common.gpu_instance_type(gpu, spec.resources.cpu, spec.resources.memory)
    if name is None:
        return None
    instance = aws_common.GPU_INSTANCES[gpu.type][name]
    return name, instance.vcpu, instance.gpus


# -- what the spec asks for ---------------------------------------------------------------------


def platform(spec: Spec) -> str:
    """`ec2` for GPU jobs (Fargate has no GPUs), `fargate` otherwise."""
    return "ec2" if spec.resources.gpu is not None else "fargate"


def _jobs_at_once(spec: Spec) -> int:
    job = spec.job
    return (job.array_size if job is not None and job.array_size else None) or 1


def default_max_vcpus(spec: Spec) -> int:
    """Room for every child of an array job (or the one job) at once, capped at DEFAULT_MAX_VCPUS_CAP,
    and never less than one job (on EC2: one whole instance) needs."""
    jobs = _jobs_at_once(spec)
    if platform(spec) == "ec2":
        instance = _gpu_instance(spec)
        if instance is None:
            return 1
        _, vcpu, gpus = instance
        per_instance = max(1, gpus // spec.resources.gpu.count) if spec.resources.gpu else 1
        instances = math.ceil(jobs / per_instance)
        return max(vcpu, min(instances * vcpu, DEFAULT_MAX_VCPUS_CAP // vcpu * vcpu))
    one = max(1, math.ceil(spec.resources.cpu))
    return max(one, min(math.ceil(spec.resources.cpu * jobs), DEFAULT_MAX_VCPUS_CAP))


def max_vcpus(spec: Spec) -> int:
    return spec.target(NAME).get("max_vcpus") or default_max_vcpus(spec)


# -- checks -------------------------------------------------------------------------------------


def _check_fargate(spec: Spec) -> list[common.Finding]:
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu not in FARGATE_MEMORY:
        return [
            (
                ("resources", "cpu"),
                f"AWS Batch on Fargate runs {', '.join(hcl.number(c) for c in FARGATE_MEMORY)} vCPU; got "
                f"{hcl.number(cpu)} (a GPU job runs on EC2 instead: give resources.gpu)",
            )
        ]
    allowed = FARGATE_MEMORY[cpu]
    if memory not in allowed:
        steps = allowed[1] - allowed[0]
        words = ", ".join(map(str, allowed)) if len(allowed) <= 3 else f"{allowed[0]}-{allowed[-1]} in steps of {steps}"
        return [
            (
                ("resources", "memory"),
                f"AWS Batch on Fargate with {hcl.number(cpu)} vCPU takes {words} MiB; got {memory}",
            )
        ]
    return []


def _check_gpu(spec: Spec) -> list[common.Finding]:
    gpu = spec.resources.gpu
    if gpu is None:
        return []
    if gpu.type not in aws_common.GPU_TYPES:
        return [
            (
                ("resources", "gpu", "type"),
                f"AWS Batch GPU types here: {', '.join(t for t in aws_common.GPU_TYPES if t not in UNSUPPORTED_GPUS)}; "
                f"got {gpu.type}",
            )
        ]
    if gpu.type in UNSUPPORTED_GPUS:
        return [(("resources", "gpu", "type"), f"AWS Batch here cannot run {gpu.type}: {UNSUPPORTED_GPUS[gpu.type]}")]
    if _gpu_instance(spec) is None:
        return [
            (
                ("resources",),
                f"no {aws_common.gpu_instance_family(gpu.type)} instance has {gpu.count} {gpu.type} GPU(s), at least "
                f"{hcl.number(spec.resources.cpu)} vCPU and room for {spec.resources.memory} MiB beside the ECS agent",
            )
        ]
    return []


def _check_locations(spec: Spec) -> list[common.Finding]:
    found: list[common.Finding] = []
    if spec.model is not None and spec.model.scheme != "s3":
        found += common.check_model_readable(spec, NAME, "s3", "The Batch job role")
    return found


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    # IAM role names `<name>-batch-execution` stay within 64 characters.
    found = common.check_name_length(spec, 40, "IAM role names carry a `-batch-execution` suffix within 64 characters")
    if spec.job is None:  # a service, or a job without its section: refused at `kind` (generator/spec_kind.py)
        return found
    found += _check_gpu(spec) if platform(spec) == "ec2" else _check_fargate(spec)
    found += _check_locations(spec)
    alarms = spec.observability.alarms
    for metric in ("cpu_percent", "memory_percent", "latency_p99_ms"):
        if getattr(alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    "AWS Batch publishes no per-job CPU, memory or latency metrics; the module alarms on failed "
                    "jobs instead. Remove this alarm",
                )
            )
    if spec.network.vpc == "existing":
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
        found += aws_common.check_created_vpc(spec, "two private and two public subnets of a quarter each")
    chosen = settings.get("max_vcpus")
    instance = _gpu_instance(spec) if platform(spec) == "ec2" else None
    one_job = instance[1] if instance else max(1, math.ceil(spec.resources.cpu))
    if chosen is not None and chosen < one_job:
        found.append(
            (
                ("targets", NAME, "max_vcpus"),
                f"one job needs {one_job} vCPU"
                + (f" (a whole {instance[0]})" if instance else "")
                + f"; max_vcpus {chosen} could never run it",
            )
        )
    # valueFrom is the secret's partial ARN (templates/aws-batch/main.tf.j2), as on ECS.
    found += aws_common.check_secret_names(spec)
    found += common.check_cloudwatch_retention(spec)
    found += aws_common.check_sids(spec)
    found += [
        (("permissions", "aws", i, "sid"), f"`{st['sid']}` is already a statement id of this policy")
        for i, st in enumerate(spec.permissions.aws)
        if st["sid"] in OWN_SIDS
    ]
    found += common.check_compute(
        spec,
        "tfgen's AWS Batch module",
        arm64="it renders x86_64 compute environments",
    )
    return found


# -- context ------------------------------------------------------------------------------------


def _names(name: str) -> dict[str, str]:
    """Every AWS name the module sets; `-batch` keeps them apart from another AWS target's module of the same spec."""
    return {
        "queue": name,
        "job_definition": name,
        "job": name,  # the job name submit-job and the schedule use
        "compute_spot": f"{name}-spot",
        "compute_on_demand": f"{name}-on-demand",
        "job_role": f"{name}-batch-job",
        "job_role_policy": f"{name}-batch-job-least-privilege",
        "execution_role": f"{name}-batch-execution",
        "execution_role_policy": f"{name}-batch-execution-least-privilege",
        "instance_role": f"{name}-batch-instance",
        "instance_role_policy": f"{name}-batch-instance-ecs-agent",
        "instance_profile": f"{name}-batch-instance",
        "launch_template": f"{name}-batch-gpu",
        "scheduler_role": f"{name}-batch-scheduler",
        "scheduler_role_policy": f"{name}-batch-scheduler-submit-job",
        "schedule": f"{name}-batch",
        "log_group": f"/aws/batch/{name}",
        "topic": f"{name}-batch-alarms",
        "kms_alias": f"alias/{name}-batch",
        "vpc": f"{name}-batch",
        "security_group": f"{name}-batch",
        "flow_log_group": f"/aws/vpc-flow-logs/{name}-batch",
        "flow_log_role": f"{name}-batch-flow-logs",
        "failed_rule": f"{name}-batch-job-failed",
        "alarm_failed": f"{name}-batch-jobs-failed",
        "alarm_undelivered": f"{name}-batch-failure-notices-undelivered",
    }


def _location(location) -> dict[str, Any]:
    """An S3 location's IAM resources: the object itself, or everything under the prefix (and listing it)."""
    return {"uri": location.uri, **aws_common.s3_grants(location.bucket, location.key, location.is_prefix)}


def _network(spec: Spec) -> dict[str, Any]:
    if spec.network.vpc == "existing":
        net = spec.target(NAME)["network"]
        return {"create": False, "vpc_id": net["vpc_id"], "subnet_ids": list(net["private_subnet_ids"])}
    return {
        "create": True,
        "cidr": spec.network.cidr,
        "vpc_id": hcl.Expr("aws_vpc.this.id"),
        "subnet_ids": hcl.Expr("aws_subnet.private[*].id"),
    }


def _created_vpc(spec: Spec, names: dict[str, str]) -> dict[str, Any]:
    """The shared partials' context: private subnets for the jobs, public ones for the NAT gateways."""
    if spec.network.vpc != "create":
        return {}
    cidrs = aws_common.subnet_cidrs(spec.network.cidr)
    vpc = hcl.encode(names["vpc"])
    return {
        "aws_network": {
            "zone_count": aws_common.ZONES,
            "private_subnet_cidr": aws_common.listed_subnet_cidr(cidrs["private"]),
            "public_subnet_cidr": aws_common.listed_subnet_cidr(cidrs["public"]),
            "private_subnet_name": hcl.Expr(f'format("%s-private-%d", {vpc}, count.index + 1)'),
            "public_subnet_name": hcl.Expr(f'format("%s-public-%d", {vpc}, count.index + 1)'),
        },
        "flow_logs": aws_common.flow_logs(
            names["flow_log_group"],
            spec.observability.log_retention_days,
            names["flow_log_role"],
            names["flow_log_role"],
            role_description="Lets VPC flow logs write to their own log group",
        ),
    }


def _compute(spec: Spec, names: dict[str, str]) -> dict[str, Any]:
    """The compute environments, in the queue's order: Spot first when the spec allows it, then on-demand."""
    kind = platform(spec)
    instance = _gpu_instance(spec) if kind == "ec2" else None
    environments = []
    if spec.resources.spot:
        environments.append(
            {
                "key": "spot",
                "name": names["compute_spot"],
                "type": SPOT_TYPE[kind],
                "allocation_strategy": "SPOT_PRICE_CAPACITY_OPTIMIZED" if kind == "ec2" else None,
            }
        )
    environments.append(
        {
            "key": "on_demand",
            "name": names["compute_on_demand"],
            "type": ON_DEMAND_TYPE[kind],
            "allocation_strategy": "BEST_FIT_PROGRESSIVE" if kind == "ec2" else None,
        }
    )
    return {
        "platform": kind,
        "fargate": kind == "fargate",
        "environments": environments,
        "max_vcpus": max_vcpus(spec),
        "max_vcpus_default": default_max_vcpus(spec),
        "max_vcpus_set": "max_vcpus" in spec.target(NAME),
        "instance_type": instance[0] if instance else None,
        "instance_vcpus": instance[1] if instance else None,
        "image_type": GPU_IMAGE_TYPE if kind == "ec2" else None,
        "root_volume_gib": aws_common.GPU_ROOT_VOLUME_GIB if kind == "ec2" else None,
    }


def _resources(spec: Spec) -> list[dict[str, str]]:
    r = spec.resources
    requirements = [
        {"type": "VCPU", "value": hcl.number(r.cpu)},
        {"type": "MEMORY", "value": str(r.memory)},
    ]
    if r.gpu is not None:
        requirements.append({"type": "GPU", "value": str(r.gpu.count)})
    return requirements


def _retry(spec: Spec) -> dict[str, Any] | None:
    job = spec.job
    if job is None or job.attempts <= 1:
        return None
    if not spec.resources.spot:
        return {"attempts": job.attempts, "evaluate_on_exit": []}
    # Spot: attempts are spent on reclaimed capacity only; an application error exits at once.
    return {
        "attempts": job.attempts,
        "evaluate_on_exit": [
            {"action": "RETRY", "on_status_reason": SPOT_RECLAIM_REASONS[platform(spec)]},
            {"action": "EXIT", "on_reason": "*"},
        ],
    }


def _skips(spec: Spec) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    days = spec.observability.log_retention_days
    reasons: dict[str, str] = {}
    if days < 365:
        reasons["retention"] = f"retention is the spec's observability.log_retention_days ({days} days)"
    if spec.network.vpc == "create":
        reasons["availability_zones"] = (
            "only names[0] and names[1] are used, so a zone AWS adds later cannot add subnets; "
            "zone names differ per account, so they cannot be pinned from the spec"
        )
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def _environment(spec: Spec) -> dict[str, str]:
    """The container's plain variables: container.env (model.env carries model.uri), the input and output."""
    job = spec.job
    env = dict(spec.container.env)
    if job is not None:
        env[job.input_env] = job.input.uri
        env[job.output_env] = job.output.uri
    return dict(sorted(env.items()))


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    names = _names(spec.name)
    job = spec.job
    image = spec.container.image or ""
    compute = _compute(spec, names)
    app = aws_common.app_permissions(spec)
    return {
        **common.base_context(spec),
        "names": names,
        "region": settings["region"],
        "image": image,
        "ecr": aws_common.ecr_repository(image),
        "command": list(spec.container.command) + list(spec.container.args),
        "variables": _environment(spec),
        "secrets": dict(spec.container.secrets),
        "resource_requirements": _resources(spec),
        "writable_volumes": aws_common.writable_volumes(spec),
        "compute": compute,
        "job": {
            "input": _location(job.input) if job else None,
            "output": _location(job.output) if job else None,
            "input_env": job.input_env if job else None,
            "output_env": job.output_env if job else None,
            "attempts": job.attempts if job else 1,
            "timeout_seconds": job.timeout_seconds if job else None,
            "array_size": job.array_size if job else None,
            "schedule": job.schedule if job else None,
        },
        "retry": _retry(spec),
        "runnable_limits": [{"reason": reason, "seconds": seconds} for reason, seconds in RUNNABLE_LIMITS],
        # for the queue's comment: how long each kind of stuck job waits
        "runnable_wait": {
            "capacity_hours": dict(RUNNABLE_LIMITS)["CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"] // 3600,
            "misconfiguration_minutes": dict(RUNNABLE_LIMITS)["MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"] // 60,
        },
        "network": _network(spec),
        **_created_vpc(spec, names),
        "app": app,
        "notify": aws_common.alarm_notify(spec, NAME, "aws_sns_topic.this.arn"),
        "alarm_period": ALARM_PERIOD_SECONDS,
        "retention_days": spec.observability.log_retention_days,
        "encrypted_log_groups": [names["log_group"]]
        + ([names["flow_log_group"]] if spec.network.vpc == "create" else []),
        "skip": _skips(spec),
        # What the key encrypts (the schedule's input only when there is a schedule).
        "kms_description": f"AWS Batch job {names['job_definition']}: logs, alarms"
        + (", schedule" if job is not None and job.schedule else ""),
    }


# -- README -------------------------------------------------------------------------------------


def _told(notify: dict[str, Any]) -> str:
    emails, topics = len(notify["emails"]), len(notify["topic_arns"])
    parts = (
        [f"{emails} email subscription{'s' if emails > 1 else ''} (observability.notify_emails)"] if emails else []
    ) + ([f"{topics} existing topic{'s' if topics > 1 else ''} (alarm_topic_arns)"] if topics else [])
    return (
        ("notifying " + " and ".join(parts))
        if parts
        else f"that nobody is subscribed to: set observability.notify_emails or targets.{NAME}.alarm_topic_arns"
    )


def submit_job_command(c: dict[str, Any]) -> str:
    """`aws batch submit-job` for this queue and job definition (the latest active revision)."""
    command = (
        f"aws batch submit-job --job-name {c['names']['job']} --job-queue {c['names']['queue']} "
        f"--job-definition {c['names']['job_definition']}"
    )
    if c["job"]["array_size"]:
        command += f" --array-properties size={c['job']['array_size']}"
    return command


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    compute, job, names = c["compute"], c["job"], c["names"]
    r = spec.resources
    size = f"{hcl.number(r.cpu)} vCPU, {r.memory} MiB" + (f", {r.gpu.count} {r.gpu.type} GPU" if r.gpu else "")
    if compute["fargate"]:
        where = "Fargate Spot, then Fargate on demand" if spec.resources.spot else "Fargate (on demand)"
    else:
        where = (
            f"{compute['instance_type']} Spot instances (price-capacity-optimised), then on-demand ones"
            if spec.resources.spot
            else f"on-demand {compute['instance_type']} instances"
        )
    vcpus_why = (
        "targets.aws-batch.max_vcpus"
        if compute["max_vcpus_set"]
        else ("every child of the array at once" if job["array_size"] else "one job") + ", at most "
        f"{DEFAULT_MAX_VCPUS_CAP} by default"
    )
    creates = [
        f"{len(compute['environments'])} managed compute environment(s) on {where}, up to {compute['max_vcpus']} vCPU "
        f"each ({vcpus_why}), in private subnets behind a security group with outbound HTTPS only.",
        f"A job queue {names['queue']} that places jobs "
        + ("on Spot capacity first and falls back to on-demand." if spec.resources.spot else "on on-demand capacity."),
        f"A job definition {names['job_definition']}: the container {c['image']} with {size}, a read-only root "
        f"filesystem with writable {', '.join(v['path'] for v in c['writable_volumes'])}, "
        f"{job['input_env']}={job['input']['uri']}, {job['output_env']}={job['output']['uri']}"
        + (f" and {spec.model.env}={spec.model.uri}" if spec.model else "")
        + f" in its environment, {job['attempts']} attempt(s)"
        + (f", {job['timeout_seconds']} s per attempt" if job["timeout_seconds"] else "")
        + ".",
        "A job role with s3:GetObject on "
        + job["input"]["objects"]
        + (
            f" and s3:ListBucket limited to the prefix {job['input']['prefix'][0] or '(whole bucket)'}"
            if job["input"]["prefix"]
            else ""
        )
        + f"; s3:PutObject on {job['output']['objects']} only"
        + "".join("; " + w for w in aws_common.app_permission_words(c["app"]))
        + ".",
        "An execution role that pulls the image"
        + (" (its ECR repository only)" if c["ecr"] else "")
        + (", reads the named secrets" if c["secrets"] else "")
        + " and writes the job's log group only.",
        f"A CloudWatch log group {names['log_group']} (KMS-encrypted, {c['retention_days']} days).",
    ]
    if not compute["fargate"]:
        creates.append(
            f"An instance role and profile for the {compute['image_type']} instances (the ECS agent's calls for this "
            "module's clusters only) and a launch template requiring IMDSv2 with encrypted "
            f"{compute['root_volume_gib']} GiB root volumes."
        )
    if job["schedule"]:
        creates.append(
            f"An EventBridge Scheduler schedule, {job['schedule']} (UTC), that submits the job, with its own role that "
            "may only batch:SubmitJob to this queue and job definition."
        )
    creates.append(
        f"An EventBridge rule on failed jobs of this queue that notifies the SNS topic, and CloudWatch alarms on "
        f"failed jobs and on undelivered failure notices, on a KMS-encrypted topic {_told(c['notify'])}."
    )
    creates.append(
        "A customer-managed KMS key (yearly rotation) for the log groups, the topic"
        + (" and the schedule." if job["schedule"] else ".")
    )
    net = c["network"]
    if net["create"]:
        creates.append(
            f"A VPC ({net['cidr']}) with two private subnets for the jobs, two public subnets with a NAT gateway each "
            "(the jobs reach the image registry, S3 and AWS APIs through them), flow logs, and a default security group "
            "with no rules."
        )
    notes = [
        markdown(
            f"Submit a run by hand with credentials that may batch:SubmitJob: `{submit_job_command(c)}` (the outputs "
            "`job_queue_arn` and `job_definition_arn` name the same queue and revision)."
        ),
        f"The job reads {job['input_env']} and writes its results under {job['output_env']}; the job role cannot write "
        "anywhere else, nor read the output prefix back. A bucket policy or SCP that denies the role still wins; "
        "with SSE-KMS buckets add kms:Decrypt / kms:GenerateDataKey statements under permissions.aws.",
        markdown(
            f"One run on other data (e.g. one day's partition): add `--container-overrides "
            f"'environment=[{{name={job['input_env']},value=S3_URI}},{{name={job['output_env']},value=S3_URI}}]'` "
            "to the command above; the job role still reads only under job.input and writes only under job.output, "
            "so give those as prefixes that cover every run."
        ),
    ]
    if c["command"]:
        notes.append(
            "AWS Batch has no entrypoint override: container.command and args together become the container's "
            "command (Docker CMD). An image with an ENTRYPOINT gets them as its arguments; build the job's image "
            "without one, or leave container.command out and give only args."
        )
    notes.append(
        "A new image (tfgen plan --image with another tag of the same repository) or size updates the job "
        "definition in place: AWS Batch registers a new revision"
        + (" and the schedule submits that one from then on." if job["schedule"] else ".")
    )
    if job["array_size"]:
        notes.append(
            f"An array job runs {job['array_size']} children; each gets AWS_BATCH_JOB_ARRAY_INDEX (0 to "
            f"{job['array_size'] - 1}) and should pick its share of the input by it."
        )
    if c["retry"] and c["retry"]["evaluate_on_exit"]:
        notes.append(
            f"Retries ({job['attempts']} attempts in all) are spent on Spot reclaims only (a status reason starting "
            + '"'
            + SPOT_RECLAIM_REASONS[compute["platform"]].rstrip("*")
            + '"); any other failure ends the job at once, '
            "since a failing run would fail again. A job that exits 0 when interrupted is recorded as succeeded: "
            "let it fail (exit non-zero) on SIGTERM so that the attempt is retried."
        )
    elif c["retry"]:
        notes.append(f"A failed attempt is retried, {job['attempts']} attempts in all.")
    notes.append(
        "The compute environments scale to zero between runs: nothing runs (or costs) until a job is submitted."
    )
    if spec.resources.spot:
        notes.append(
            "AWS Batch places a job in the first environment of the queue that has room: jobs go on-demand when "
            "the Spot environment is at max_vcpus. A job waiting for Spot capacity that does not come stays "
            f"RUNNABLE; the queue cancels it after {RUNNABLE_LIMITS[0][1] // 3600} hours, and the failed-job rule "
            "reports it."
        )
    notes.append(
        "AWS Batch manages the compute environments with its service-linked role AWSServiceRoleForBatch, created on "
        "first use (the caller needs iam:CreateServiceLinkedRole once). batch_creates_service_linked_role = false "
        "makes the module create that role itself and name it as the service role (tfgen's emulator runs do, since "
        "moto requires one); leave it true on AWS."
    )
    if spec.observability.tracing and common.explicit(spec, "observability.tracing"):
        notes.append("observability.tracing: AWS Batch has no X-Ray integration; the job emits traces itself or none.")
    notes += aws_common.app_permission_notes(spec)
    return ReadmeFacts("AWS Batch", tuple(creates), tuple(notes))


# -- the target ---------------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region"],
    "properties": {
        "region": {"$ref": "#/$defs/region"},
        "max_vcpus": {
            "description": "Most vCPUs each compute environment runs at once. Default: enough for every child of "
            f"job.array_size (or the one job) at once (resources.cpu x array size; on EC2 whole GPU instances), "
            f"at most {DEFAULT_MAX_VCPUS_CAP}.",
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_VCPUS_LIMIT,
        },
        "network": {"$ref": "#/$defs/awsNetwork"},
        "alarm_topic_arns": aws_common.ALARM_TOPIC_ARNS_SCHEMA,
    },
}

_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/scorer:1.0.0"
_JOB = {"input": "s3://example-data/scoring/input/", "output": "s3://example-data/scoring/output/"}
VARIANTS = {
    "minimal": {
        "name": "batch-minimal",
        "kind": "job",
        "container": {"image": "ghcr.io/example/scorer:1.0.0"},
        "job": _JOB,
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "fargate": {
        "name": "batch-fargate",
        "kind": "job",
        "container": {"image": _IMAGE, "command": ["python", "-m", "score"], "args": ["--batch-size", "512"]},
        "resources": {"cpu": 2, "memory": 8192},
        "job": {
            "input": "s3://example-data/scoring/2026/input.parquet",
            "output": "s3://example-results/scoring/",
            "retries": 3,
            "timeout_seconds": 7200,
            "array_size": 20,
        },
        "model": {"uri": "s3://example-models/scorer/v4/"},
        "targets": {NAME: {"region": "eu-west-1"}},
    },
    "fargate-spot": {
        "name": "batch-fargate-spot",
        "kind": "job",
        "container": {"image": _IMAGE},
        "resources": {"cpu": 1, "memory": 4096, "spot": True},
        "job": {**_JOB, "retries": 5},
        "model": {"uri": "s3://example-models/scorer/v4/model.joblib"},
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "ec2-gpu-spot": {
        "name": "batch-gpu-spot",
        "kind": "job",
        "container": {"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3-gpu-py311"},
        "resources": {"cpu": 4, "memory": 12288, "gpu": {"type": "nvidia-t4", "count": 1}, "spot": True},
        "job": {**_JOB, "retries": 3, "timeout_seconds": 14400, "array_size": 8},
        "model": {"uri": "s3://example-models/bert/v3/model.tar.gz"},
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "scheduled": {
        "name": "batch-nightly",
        "kind": "job",
        "container": {"image": _IMAGE},
        "job": {**_JOB, "schedule": "cron(0 2 * * ? *)", "array_size": 4},
        "observability": {"notify_emails": ["oncall@example.com"]},
        "targets": {NAME: {"region": "us-east-1"}},
    },
    "existing-network": {
        "name": "batch-existing",
        "kind": "job",
        "container": {"image": _IMAGE},
        "job": _JOB,
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
    "all-features": {
        "name": "batch-full",
        "kind": "job",
        "description": "every optional feature of aws-batch",
        "labels": {"team": "ml"},
        "container": {
            "image": _IMAGE,
            "command": ["python", "-m", "score"],
            "args": ["--shard", "auto"],
            "env": {"LOG_LEVEL": "info"},
            "secrets": {"API_TOKEN": "scoring-api-token"},
            "writable_paths": ["/tmp", "/home/app/.cache"],
        },
        "resources": {"cpu": 8, "memory": 28672, "gpu": {"type": "nvidia-a10g", "count": 1}, "spot": True},
        "network": {"cidr": "10.60.0.0/20"},
        "observability": {"log_retention_days": 400, "notify_emails": ["oncall@example.com"]},
        "model": {
            "uri": "s3://example-models/full/v2/",
            "kms_key": "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1234-5678-9abc-def012345678",
        },
        "permissions": {"capabilities": ["metrics"]},
        "job": {
            "input": "s3://example-data/full/input/",
            "output": "s3://example-results/full/",
            "retries": 4,
            "timeout_seconds": 10800,
            "array_size": 50,
            "schedule": "rate(1 day)",
        },
        "targets": {
            NAME: {
                "region": "us-east-1",
                "max_vcpus": 128,
                "alarm_topic_arns": ["arn:aws:sns:us-east-1:123456789012:pager"],
            }
        },
        "state": {"backend": "s3", "bucket": "example-tfstate", "key": "batch-full.tfstate", "region": "us-east-1"},
    },
}

TARGET = Target(
    name=NAME,
    title="AWS Batch",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(aws_common.AWS_PROVIDER,),
    schema=SCHEMA,
    schema_defs=aws_common.NETWORK_SCHEMA_DEFS,
    defaults={},
    check=check,
    context=context,
    readme=readme,
    kinds=frozenset({"job"}),
    emulator_gaps=(
        EmulatorGap(
            "batch_creates_service_linked_role",
            "AWS Batch creating its own service-linked role (the module creates AWSServiceRoleForBatch and names it "
            "as the compute environments' service role instead)",
            ("aws_batch_compute_environment",),
            "moto 5.2.5 refuses CreateComputeEnvironment without serviceRole (ClientException: Error executing "
            "request, Exception : ServiceRole is required.)",
        ),
    ),
    emulator_drift=(
        # Found by plan -> apply -> plan of the ec2-gpu-spot variant with moto 5.2.5: moto gives the
        # provider's default tags back as a launch-template tag specification the module never set.
        EmulatorDrift("aws_launch_template", ("tag_specifications",)),
        # moto 5.2.5's CreateJobQueue takes no jobStateTimeLimitActions and describes none.
        EmulatorDrift("aws_batch_job_queue", ("job_state_time_limit_action",)),
        *aws_common.SECURITY_GROUP_RULE_DRIFT,
    ),
    variants=VARIANTS,
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, True, "alarm_topic_arns"),
    permission_cloud="aws",
)
