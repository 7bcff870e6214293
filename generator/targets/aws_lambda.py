"""AWS Lambda (zip or container image) with a function URL: limits and context."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path, PurePosixPath
from typing import Any

from .. import hcl
from ..model import Spec
from ..outputs.terraform import TERRAFORM
from . import aws_common, common
from .base import EmulatorDrift, EmulatorGap, ReadmeFacts, Starter, Target, yaml_scalar

NAME = "aws-lambda"

MEMORY_MIN, MEMORY_MAX = 128, 10240
TIMEOUT_MAX = 900
MIB_PER_VCPU = 1769  # Lambda gives one vCPU per 1,769 MB of memory
ECR_IMAGE = re.compile(
    r"^[0-9]{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$"
)

ALIAS = "live"  # the published version the URL, permissions and provisioned concurrency point at
SECRET_ARN_SUFFIX = "_SECRET_ARN"  # env var NAME_SECRET_ARN carries the ARN of the secret behind NAME
ENV_BYTES_MAX = 4096  # Lambda: all environment variables together (keys and values) at most 4 KB
LAMBDA_ENV_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
# Set by the Lambda runtime itself; CreateFunction rejects them.
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT",
    }
)
# Where tfgen builds package.source, inside the module folder (beside the .tf files).
BUILT_PACKAGE = "package.zip"
# A created VPC is cut into four equal blocks (two used, two spare; aws_common); AWS subnets are /16-/28.
VPC_PREFIX_MIN, VPC_PREFIX_MAX = 16, aws_common.largest_vpc_prefix()


# The init phase (where a handler loads its model) ends after this long.
INIT_MAX_S = 10


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(spec, 50, "function and role names carry suffixes within 64 characters")
    memory = spec.resources.memory
    if not MEMORY_MIN <= memory <= MEMORY_MAX:
        found.append((("resources", "memory"), f"Lambda memory is {MEMORY_MIN}-{MEMORY_MAX} MiB; got {memory}"))
    elif common.explicit(spec, "resources.cpu") and spec.resources.cpu > memory / MIB_PER_VCPU + 1e-9:
        need = int(spec.resources.cpu * MIB_PER_VCPU + 0.999)
        found.append(
            (
                ("resources", "cpu"),
                f"Lambda gives {memory / MIB_PER_VCPU:.2f} vCPU at {memory} MiB; raise memory to at least {need} or lower cpu",
            )
        )
    found += _check_package(spec, settings["package"])
    if settings["timeout"] > TIMEOUT_MAX:
        found.append(
            (
                ("targets", NAME, "timeout"),
                f"Lambda timeout is at most {TIMEOUT_MAX} seconds; got {settings['timeout']}",
            )
        )
    if settings["package"]["type"] == "image" and spec.container.image:
        if not (ecr := ECR_IMAGE.match(spec.container.image)):
            found.append(
                (
                    ("container", "image"),
                    "a Lambda container image must be in ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG",
                )
            )
        elif ecr.group("region") != settings["region"]:
            found.append(
                (
                    ("container", "image"),
                    f"Lambda pulls images only from ECR in its own region: the image is in {ecr.group('region')}, "
                    f"the function in {settings['region']}",
                )
            )
    found += common.check_no_cpu_target(spec, "Lambda", "it runs one instance per concurrent request")
    if common.explicit(spec, "scaling.concurrency") and spec.scaling.concurrency != 1:
        found.append(
            (
                ("scaling", "concurrency"),
                "a Lambda instance serves one request at a time; remove scaling.concurrency or set it to 1",
            )
        )
    for metric in ("cpu_percent", "memory_percent"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append(
                (
                    ("observability", "alarms", metric),
                    f"Lambda publishes no {metric.split('_')[0]} metric; remove this alarm",
                )
            )
    if common.explicit(spec, "network.allowed_cidrs") and spec.network.allowed_cidrs != ("0.0.0.0/0",):
        found.append(
            (
                ("network", "allowed_cidrs"),
                "a Lambda function URL cannot be limited to source addresses; it is guarded by IAM auth unless network.public",
            )
        )
    if settings["vpc"] and spec.network.vpc == "existing" and "network" not in settings:
        found.append(
            (
                ("targets", NAME),
                "vpc: true with network.vpc `existing` needs `network` with vpc_id and private_subnet_ids",
            )
        )
    elif "network" in settings and not (settings["vpc"] and spec.network.vpc == "existing"):
        found.append(
            (("targets", NAME, "network"), "only used with vpc: true and network.vpc `existing`; remove it or set both")
        )
    if settings["vpc"] and spec.network.vpc == "create":
        prefix = ipaddress.ip_network(spec.network.cidr, strict=False).prefixlen
        if not VPC_PREFIX_MIN <= prefix <= VPC_PREFIX_MAX:
            found.append(
                (
                    ("network", "cidr"),
                    f"a created VPC needs a /{VPC_PREFIX_MIN} to /{VPC_PREFIX_MAX} range (two /28-or-larger private subnets); got /{prefix}",
                )
            )
    found += _check_environment(spec)
    found += common.check_cloudwatch_retention(spec)
    found += common.check_model_readable(spec, NAME, "s3", "Lambda's IAM role")
    found += aws_common.check_sids(spec)
    found += common.check_compute(
        spec,
        "Lambda",
        startup_max=INIT_MAX_S,
        startup_why="the init phase, where a handler loads its model, is cut off after 10 s and retried inside the "
        "invocation's timeout; load lazily or raise targets.aws-lambda.timeout instead",
        spot="Lambda has no interruptible capacity",
        gpu="Lambda functions run on CPU only",
        writable=("/tmp",),
        writable_why="every other path of a function is read-only",
    )
    return found


def _check_package(spec: Spec, package) -> list[common.Finding]:
    """A zip comes from exactly one place: a folder tfgen builds, or a prebuilt file."""
    where = ("targets", NAME, "package")
    if package["type"] == "image":
        return [
            (where + (key,), "only used with type: zip; an image function runs container.image")
            for key in ("source", "filename", "handler", "runtime")
            if key in package
        ]
    if ("source" in package) == ("filename" in package):
        return [
            (
                where,
                "a zip package needs either `source` (a folder tfgen zips) or `filename` (a prebuilt zip), not "
                + ("both" if "source" in package else "neither"),
            )
        ]
    if "source" in package:
        from ..package import PackageError, package_files  # zipfile and the writer: only for a zip package

        try:
            package_files(source_folder(spec))
        except PackageError as exc:
            return [(where + ("source",), f"{exc} (resolved relative to the spec file)")]
    return []


def source_folder(spec: Spec) -> Path:
    """package.source, resolved relative to the folder of the spec file."""
    return Path(spec.origin).parent / spec.target(NAME)["package"]["source"]


def packages(spec: Spec) -> dict[PurePosixPath, Path]:
    """Zips tfgen builds into this module: module-relative file -> source folder."""
    package = spec.target(NAME)["package"]
    return {PurePosixPath(BUILT_PACKAGE): source_folder(spec)} if "source" in package else {}


def _check_environment(spec: Spec) -> list[common.Finding]:
    """Lambda's own rules for environment variables, which the shared schema cannot know."""
    found: list[common.Finding] = []
    env, secrets = spec.container.env, spec.container.secrets
    for kind, names in (("env", env), ("secrets", secrets)):
        for key in names:
            if key in RESERVED_ENV:
                found.append(
                    (("container", kind, key), f"`{key}` is set by the Lambda runtime and cannot be overridden")
                )
            elif not LAMBDA_ENV_NAME.match(key):
                found.append(
                    (
                        ("container", kind, key),
                        f"Lambda environment variable names start with a letter and have at least two characters; got `{key}`",
                    )
                )
    for key in secrets:
        carrier = key + SECRET_ARN_SUFFIX
        if carrier in env or carrier in secrets:
            found.append(
                (
                    ("container", "secrets", key),
                    f"the secret's ARN goes into `{carrier}`, which container.env or container.secrets already uses",
                )
            )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in _environment_preview(spec).items())
    if size > ENV_BYTES_MAX:
        found.append(
            (
                ("container", "env"),
                f"Lambda allows {ENV_BYTES_MAX} bytes of environment variables in total; these need about {size}",
            )
        )
    return found


def _environment_preview(spec: Spec) -> dict[str, str]:
    """The function's environment with a worst-case ARN per secret (for the size limit)."""
    arn = "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:"
    return {**spec.container.env, **{k + SECRET_ARN_SUFFIX: arn + v for k, v in spec.container.secrets.items()}}


def _package(spec: Spec, settings) -> dict[str, Any]:
    package = settings["package"]
    if package["type"] == "zip":
        filename = package.get("filename", BUILT_PACKAGE)
        return {
            "type": "zip",
            "filename": filename,
            "absolute": filename.startswith("/"),
            "source": package.get("source"),
            "handler": package["handler"],
            "runtime": package["runtime"],
        }
    return {
        "type": "image",
        "image_uri": spec.container.image,
        "entry_point": list(spec.container.command),
        "command": list(spec.container.args),
    }


def _vpc(spec: Spec, settings) -> dict[str, Any] | None:
    if not settings["vpc"]:
        return None
    if spec.network.vpc == "create":
        return {
            "create": True,
            "cidr": spec.network.cidr,
            "vpc_id_ref": hcl.Expr("aws_vpc.this.id"),
            "subnet_ids": hcl.Expr("aws_subnet.private[*].id"),
            "egress_cidr": hcl.Expr("aws_vpc.this.cidr_block"),
        }
    network = settings["network"]
    # An existing network reaches AWS APIs through its own NAT or endpoints, whose addresses we cannot know.
    return {
        "create": False,
        "vpc_id": network["vpc_id"],
        "vpc_id_ref": network["vpc_id"],
        "subnet_ids": list(network["private_subnet_ids"]),
        "egress_cidr": "0.0.0.0/0",
    }


def _created_vpc(spec: Spec, vpc: dict[str, Any] | None, names: dict[str, str]) -> dict[str, Any]:
    """Context of the shared AWS network partials (templates/_shared/aws/) for a created VPC."""
    if not (vpc and vpc["create"]):
        return {}
    return aws_common.private_vpc_partials(spec, names, assume_policy="flow_logs_assume_role")


def _skips(spec: Spec, package: dict[str, Any], vpc: dict[str, Any] | None) -> dict[str, hcl.Expr]:
    """Reasons for the inline Checkov skips this spec needs (tfgen's own words, one line each)."""
    days = spec.observability.log_retention_days
    reasons = {
        "code_signing": (
            "Lambda code signing applies only to zip packages; this function runs the ECR image in container.image"
            if package["type"] == "image"
            else "code signing needs a package signed by AWS Signer through S3; this module uploads the local zip "
            + (
                "tfgen builds from targets.aws-lambda.package.source"
                if package.get("source")
                else "targets.aws-lambda.package.filename"
            )
            + ", which is not signed"
        ),
    }
    if days < 365:
        reasons["retention"] = f"retention is the spec's observability.log_retention_days ({days} days)"
    if vpc is not None and vpc["create"]:
        reasons["availability_zones"] = (
            "only names[0] and names[1] are used, so a zone AWS adds later cannot add subnets; "
            "zone names differ per account, so they cannot be pinned from the spec"
        )
    if vpc is None:
        reasons["vpc"] = (
            "targets.aws-lambda.vpc is false: the function reaches only AWS APIs and the internet, "
            "no private resources, so it is not attached to a VPC"
        )
    if not spec.observability.tracing:
        reasons["tracing"] = (
            "observability.tracing is false in the spec: X-Ray stays PassThrough (traces only sampled callers)"
        )
    if spec.network.public:
        reasons["public_url"] = (
            "network.public is true in the spec: the function URL is meant to be open to anyone (auth NONE)"
        )
        reasons["public_invoke"] = (
            "network.public is true in the spec: since October 2025 a public function URL also needs "
            "lambda:InvokeFunction for everyone; the statement holds only under the "
            "lambda:FunctionUrlAuthType NONE condition (function_url_auth_type), i.e. for URL calls"
        )
    if not spec.target(NAME)["reserve_concurrency"]:
        reasons["concurrency_limit"] = (
            "targets.aws-lambda.reserve_concurrency is false in the spec: the function shares the "
            "account's unreserved pool, because Lambda refuses a reservation that leaves fewer "
            "than 100 unreserved executions (new accounts have 10)"
        )
    return {key: hcl.Expr(text) for key, text in reasons.items()}


def _names(name: str) -> dict[str, str]:
    """Every AWS name the module sets; `-lambda` keeps them apart from another AWS target's module of the same spec."""
    return {
        "function": name,
        "role": f"{name}-lambda",
        "role_policy": f"{name}-lambda-least-privilege",
        "log_group": f"/aws/lambda/{name}",  # the group Lambda writes to; created first so it is ours
        "queue": f"{name}-lambda-dlq",
        "topic": f"{name}-lambda-alarms",
        "kms_alias": f"alias/{name}-lambda",
        "vpc": f"{name}-lambda",
        "security_group": f"{name}-lambda",
        "endpoint_security_group": f"{name}-lambda-endpoints",
        "flow_log_group": f"/aws/vpc-flow-logs/{name}-lambda",
        "flow_log_role": f"{name}-lambda-flow-logs",
        "alarm_errors": f"{name}-lambda-errors",
        "alarm_throttles": f"{name}-lambda-throttles",
        "alarm_latency": f"{name}-lambda-latency-p99",
    }


def context(spec: Spec) -> dict[str, Any]:
    settings = spec.target(NAME)
    package = _package(spec, settings)
    vpc = _vpc(spec, settings)
    alarms = spec.observability.alarms
    names = _names(spec.name)
    return {
        **common.base_context(spec),
        "names": names,
        "region": settings["region"],
        "package": package,
        "timeout": settings["timeout"],
        "arm64": spec.resources.architecture == "arm64",
        "memory": spec.resources.memory,
        # issue 13 #12: reserving is the spec's explicit choice (Lambda refuses it on accounts with a small pool)
        "reserved_concurrency": spec.scaling.max if settings["reserve_concurrency"] else None,
        "provisioned_concurrency": spec.scaling.min,
        "alias": ALIAS,
        "env": dict(spec.container.env),
        "secrets": dict(spec.container.secrets),
        "secret_arn_suffix": SECRET_ARN_SUFFIX,
        "public": spec.network.public,
        "tracing": spec.observability.tracing,
        "retention_days": spec.observability.log_retention_days,
        "vpc": vpc,
        **_created_vpc(spec, vpc, names),
        # The log groups this module creates: the KMS key lets CloudWatch Logs use it for these only.
        "encrypted_log_groups": [names["log_group"]] + ([names["flow_log_group"]] if vpc and vpc["create"] else []),
        "error_rate_percent": alarms.error_rate_percent,
        "error_rate_words": None if alarms.error_rate_percent is None else hcl.number(alarms.error_rate_percent),
        "latency_p99_ms": alarms.latency_p99_ms,
        "notify": aws_common.alarm_notify(spec, NAME, "aws_sns_topic.this.arn"),
        "app": aws_common.app_permissions(spec),
        "skip": _skips(spec, package, vpc),
    }


def _and(things: list[str]) -> str:
    """`a points`, `a and b point`, `a, b and c point`."""
    if len(things) == 1:
        return f"{things[0]} points"
    return f"{', '.join(things[:-1])} and {things[-1]} point"


def _told(notify: dict[str, Any]) -> str:
    """Who the alarms notify, in words."""
    emails, topics = len(notify["emails"]), len(notify["topic_arns"])
    parts = (
        [
            f"{emails} email subscription{'s' if emails > 1 else ''} to the topic (observability.notify_emails, "
            "each confirmed by its recipient)"
        ]
        if emails
        else []
    ) + ([f"{topics} existing topic{'s' if topics > 1 else ''} (alarm_topic_arns)"] if topics else [])
    return (
        ("alarms notify " + " and ".join(parts))
        if parts
        else ("nobody is subscribed: set observability.notify_emails or targets.aws-lambda.alarm_topic_arns")
    )


def needs_image(settings) -> bool:
    """A zip package carries its own code; only an image package runs container.image."""
    return settings["package"]["type"] != "zip"


def readme(spec: Spec, c: dict[str, Any]) -> ReadmeFacts:
    """What the module creates and what its user must know, from its template context `c`."""
    package, vpc, names, secrets = c["package"], c["vpc"], c["names"], c["secrets"]
    source = (
        f"the zip package {package['filename']}"
        if package["type"] == "zip"
        else f"the container image {package['image_uri']}"
    )
    creates = [
        f"A Lambda function from {source} ({c['memory']} MiB, {c['timeout']} s timeout), "
        + (
            f"reserved concurrency {c['reserved_concurrency']} (scaling.max, reserve_concurrency)"
            if c["reserved_concurrency"] is not None
            else "no reserved concurrency (it shares the account's pool; reserve_concurrency is false)"
        )
        + f", X-Ray tracing {'Active' if c['tracing'] else 'PassThrough'}"
        + (", an environment encrypted with the module's KMS key" if c["env"] or secrets else ""),
        "Published versions and a live alias; "
        + _and(
            ["the function URL"]
            + (["its public-invoke permission"] if c["public"] else [])
            + (["provisioned concurrency"] if c["provisioned_concurrency"] > 0 else [])
        )
        + " at the alias",
    ]
    if c["provisioned_concurrency"] > 0:
        creates.append(
            f"Provisioned concurrency of {c['provisioned_concurrency']} on the alias (scaling.min), "
            "switched by enable_provisioned_concurrency"
        )
    creates += [
        "A function URL on the alias: "
        + (
            "public, no authentication (network.public)"
            if c["public"]
            else "AWS_IAM authentication (SigV4-signed requests only)"
        )
        + ", no CORS",
        "An execution role that may write only its own log group, send only to its dead-letter queue, use only the module's KMS key"
        + (", read only the secrets named in container.secrets" if secrets else "")
        + (", manage network interfaces only in its own subnets and security group" if vpc else "")
        + (", write X-Ray traces" if c["tracing"] else "")
        + "".join(f", {grant}" for grant in aws_common.app_permission_words(c["app"])),
        "A customer-managed KMS key (yearly rotation) for the environment, logs, dead-letter queue and alarm topic",
        f"The log group {names['log_group']}, kept {c['retention_days']} days, KMS-encrypted",
        "An SQS dead-letter queue (KMS-encrypted, 14 days) for failed asynchronous invocations only: calls through the "
        "function URL are synchronous and return their errors to the caller, so with the URL as the only caller the queue "
        "stays empty (it is there for event sources and `--invocation-type Event` calls)",
        "An SNS topic (KMS-encrypted) and alarms: "
        + (f"error rate above {c['error_rate_words']}%" if c["error_rate_percent"] is not None else "any error")
        + ", any throttle"
        + (f", p99 duration above {c['latency_p99_ms']} ms" if c["latency_p99_ms"] is not None else "")
        + "; "
        + _told(c["notify"]),
    ]
    if vpc and vpc["create"]:
        creates += [
            f"A VPC ({vpc['cidr']}) with two private subnets in two zones, flow logs to a KMS-encrypted log group, "
            "a default security group with no rules"
            + (", and a Secrets Manager interface endpoint" if secrets else ""),
            "A security group for the function: no inbound rules, outbound HTTPS inside the VPC only",
        ]
    elif vpc:
        creates.append(
            f"A security group for the function in the existing VPC {vpc['vpc_id']}: no inbound rules, outbound HTTPS only"
        )
    notes = []
    if package["type"] == "zip" and package["source"]:
        notes.append(
            f"tfgen builds {package['filename']} (in this folder) from {package['source']} (relative to the spec file) whenever "
            "it renders, plans or checks: entries sorted, timestamps and modes fixed, stored uncompressed, so the same code "
            "gives the same bytes on every machine. source_code_hash follows those bytes, so changed code publishes a new "
            "version and moves the live alias."
        )
    elif package["type"] == "zip":
        notes.append(
            f"Build the zip to {package['filename']}"
            + (" before plan" if package["absolute"] else " (relative to this folder) before plan")
            + ": source_code_hash follows its bytes, so a rebuilt package publishes a new version and moves the live alias."
        )
    else:
        notes.append(
            "The image must be in ECR in the function's region. In the same account the deployer needs ecr:BatchGetImage and "
            "ecr:GetDownloadUrlForLayer; from another account the repository policy must allow Lambda to pull."
        )
    if secrets:
        notes.append(
            "Secrets: Lambda cannot inject secret values, so for each container.secrets entry NAME the function gets NAME"
            f"{c['secret_arn_suffix']} holding the partial ARN arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:SECRET-NAME "
            "(without the random suffix). The code reads the value with secretsmanager:GetSecretValue when it needs it; the role "
            "may read only these secrets (SECRET-NAME-??????). A secret encrypted with its own customer-managed key also needs "
            "kms:Decrypt on that key."
        )
    if c["public"]:
        notes.append(
            "The function URL is public (network.public). With authorization NONE the provider adds the lambda:InvokeFunctionUrl "
            "statement; function URLs created since October 2025 also need lambda:InvokeFunction for everyone. That statement "
            "carries the condition lambda:FunctionUrlAuthType = NONE (function_url_auth_type, as the Lambda console's "
            '"Function URL" permission does), which only URL requests satisfy, so it does not open the alias to direct Invoke '
            "calls. The exact control AWS added for this, lambda:InvokedViaFunctionUrl, needs hashicorp/aws 6.x "
            "(invoked_via_function_url); this module pins 5.x."
        )
    else:
        notes.append(
            "Callers sign requests to the function URL with SigV4 (service lambda) and need lambda:InvokeFunctionUrl and, for URLs "
            "created since October 2025, lambda:InvokeFunction on the live alias in their own IAM policy."
        )
    notes.append(
        "Reserved concurrency (targets.aws-lambda.reserve_concurrency: true) sets aside scaling.max executions from the "
        "account's pool and caps the function there; Lambda refuses it when fewer than 100 unreserved executions would remain "
        "(new accounts often have a limit of 10 until raised)."
        if c["reserved_concurrency"] is not None
        else "No reserved concurrency (targets.aws-lambda.reserve_concurrency is false): the function scales within the account's "
        "unreserved pool, scaling.max is not enforced, and other functions can use up the pool. Set reserve_concurrency: true "
        "to reserve and cap scaling.max executions once the account's limit leaves 100 unreserved."
    )
    notes += aws_common.app_permission_notes(spec)
    if vpc and vpc["create"] and c["app"]["model"]:
        notes.append(
            "The created VPC reaches S3 only through a gateway endpoint whose policy admits this function's reads of "
            "the model; a gateway endpoint serves its own Region only, so keep the model's bucket in this Region."
        )
    if c["provisioned_concurrency"] > 0:
        notes.append(
            "Provisioned concurrency is billed for every warm instance around the clock. The emulator (moto) does not implement "
            "it: tfgen plans and applies there with enable_provisioned_concurrency = false."
        )
    if vpc and vpc["create"]:
        notes.append(
            "The created VPC has no internet gateway or NAT: the function's code reaches no internet and no AWS API"
            + (" except Secrets Manager through its endpoint" if secrets else "")
            + ". Logs, dead letters and each invocation's own trace segment travel through the Lambda platform and need no route; "
            "other AWS APIs the code calls (the X-Ray SDK included) need their own interface endpoints."
        )
    elif vpc:
        notes.append(
            "In the existing VPC the function's outbound HTTPS goes wherever the subnets' routes lead: they need a NAT gateway or "
            "interface endpoints for the AWS APIs the code calls"
            + (", Secrets Manager included" if secrets else "")
            + "."
        )
    return ReadmeFacts("AWS Lambda", tuple(creates), tuple(notes))


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region", "package"],
    "properties": {
        "region": {"$ref": "#/$defs/region"},
        "package": {
            "description": "`image` runs container.image (an ECR image); `zip` runs a zip with a handler and runtime, "
            "built by tfgen from `source` or prebuilt at `filename`.",
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": ["image", "zip"]},
                "filename": {
                    "description": "Path of the zip package, relative to the rendered module's folder (or absolute); it must "
                    "exist at plan time. The module uploads it as `filename` with `source_code_hash = "
                    "filebase64sha256(...)`, so a rebuilt zip publishes a new version.",
                    "type": "string",
                    "pattern": "^[A-Za-z0-9._/-]+\\.zip$",
                    "maxLength": 255,
                },
                "source": {
                    "description": "Folder of the function's code, relative to the spec file. tfgen zips it "
                    "deterministically (sorted entries, fixed timestamps and modes, stored uncompressed; "
                    "hidden files and __pycache__ left out) into the module as package.zip whenever it "
                    "renders, plans or checks. Use this or `filename`, not both.",
                    "type": "string",
                    "pattern": "^[A-Za-z0-9._-][A-Za-z0-9._/-]*$",
                    "maxLength": 255,
                },
                "handler": {"type": "string", "pattern": "^[A-Za-z0-9_.$-]+$", "maxLength": 128},
                "runtime": {"enum": ["python3.10", "python3.11", "python3.12", "python3.13"]},
            },
            "if": {"properties": {"type": {"const": "zip"}}},
            "then": {"required": ["handler", "runtime"]},
        },
        "timeout": {"description": "Seconds.", "type": "integer", "minimum": 1, "default": 30},
        "reserve_concurrency": {
            "description": "Reserve scaling.max concurrent executions for the function (reserved_concurrent_executions): "
            "a guarantee and a cap. Lambda refuses it when fewer than 100 unreserved executions would remain "
            "in the account (new accounts have a limit of 10). false: the function shares the account's pool "
            "and scaling.max is not enforced.",
            "type": "boolean",
            "default": False,
        },
        "vpc": {
            "description": "Run the function inside the network (created or existing).",
            "type": "boolean",
            "default": False,
        },
        "network": {"$ref": "#/$defs/awsNetwork"},
        "alarm_topic_arns": aws_common.ALARM_TOPIC_ARNS_SCHEMA,
    },
}

_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/scorer:1.2"
# tfgen builds the zip from a folder, so `terraform validate` (which reads the zip) works on a fresh
# render: variant specs are written beside a copy of examples/'s folders (tests.support.write_variant_spec).
_ZIP = {"type": "zip", "source": "sentiment-lambda", "handler": "app.handler", "runtime": "python3.12"}
VARIANTS = {
    "minimal": {
        "name": "fn-minimal",
        "targets": {NAME: {"region": "us-east-1", "package": _ZIP}},
    },
    "public": {
        "name": "fn-public",
        "container": {"image": _IMAGE},
        "network": {"public": True},
        "targets": {NAME: {"region": "eu-west-1", "package": {"type": "image"}}},
    },
    "existing-network": {
        "name": "fn-existing",
        "network": {"vpc": "existing"},
        "targets": {
            NAME: {
                "region": "us-west-2",
                "package": _ZIP,
                "vpc": True,
                "network": {
                    "vpc_id": "vpc-0123456789abcdef0",
                    "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                },
            }
        },
    },
    "all-features": {
        "name": "fn-full",
        "description": "every optional feature of aws-lambda",
        "labels": {"team": "ml"},
        "container": {
            "image": _IMAGE,
            "command": ["python", "-m", "serve"],
            "args": ["--fast"],
            "env": {"MODE": "strict"},
            "secrets": {"API_KEY": "fn-api-key"},
            "startup_seconds": 10,
            "writable_paths": ["/tmp"],
        },
        "resources": {"memory": 2048, "architecture": "arm64"},
        "scaling": {"min": 1, "max": 5},
        "network": {"cidr": "10.30.0.0/20"},
        "observability": {
            "log_retention_days": 400,
            "tracing": True,
            "alarms": {"error_rate_percent": 2, "latency_p99_ms": 800},
            "notify_emails": ["oncall@example.com", "ml-team@example.com"],
        },
        "model": {
            "uri": "s3://example-models/fn-full/v1/",
            "kms_key": "arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-1234-5678-9abc-def012345678",
        },
        "permissions": {
            "capabilities": ["metrics"],
            "aws": [
                {
                    "sid": "PublishPredictions",
                    "actions": ["sqs:SendMessage"],
                    "resources": ["arn:aws:sqs:eu-west-1:123456789012:predictions"],
                }
            ],
        },
        "targets": {
            NAME: {
                "region": "eu-west-1",
                "package": {"type": "image"},
                "timeout": 120,
                "vpc": True,
                "reserve_concurrency": True,
                "alarm_topic_arns": ["arn:aws:sns:eu-west-1:123456789012:pager"],
                "scaling": {"max": 6},
            }
        },
        "state": {"backend": "s3", "bucket": "example-tfstate", "key": "fn-full.tfstate", "region": "eu-west-1"},
    },
}

STARTER_SOURCE = "src"  # the folder `tfgen init` writes a handler into, beside the spec
STARTER_HANDLER = '''"""A starter AWS Lambda handler (tfgen init). Replace it with your model's code."""

import json


def handler(event, context):
    # A function URL passes the HTTP request; a direct invoke passes your own payload.
    body = event.get("body") if isinstance(event, dict) else None
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"ok": True, "received": body})}
'''

STARTER = Starter(
    questions=(aws_common.REGION_QUESTION,),
    settings=lambda answers: [
        f"    region: {yaml_scalar(answers['region'])}",
        "    package:",
        "      type: zip",
        f"      source: {STARTER_SOURCE}  # folder beside this file; tfgen zips it into the module (same bytes every time)",
        "      handler: app.handler",
        "      runtime: python3.12",
        "    timeout: 30  # seconds",
    ],
    needs_image=False,
    sections={"container": (f"  # {NAME} runs the zip built from targets.{NAME}.package.source, not an image",)},
    files={f"{STARTER_SOURCE}/app.py": STARTER_HANDLER},
)

TARGET = Target(
    name=NAME,
    title="AWS Lambda",
    template_dir=NAME,
    output=TERRAFORM,
    providers=(aws_common.AWS_PROVIDER,),
    schema=SCHEMA,
    schema_defs=aws_common.NETWORK_SCHEMA_DEFS,
    defaults={"timeout": 30, "vpc": False, "reserve_concurrency": False},
    check=check,
    context=context,
    readme=readme,
    needs_image=needs_image,
    packages=packages,
    emulator_gaps=(
        EmulatorGap(
            "enable_provisioned_concurrency",
            "Lambda provisioned concurrency",
            ("aws_lambda_provisioned_concurrency_config",),
            "moto does not implement Lambda provisioned concurrency",
        ),
    ),
    # Found by plan -> apply -> plan of the example with moto 5.2.5.
    emulator_drift=(
        EmulatorDrift("aws_lambda_function", ("dead_letter_config",)),
        *aws_common.SECURITY_GROUP_RULE_DRIFT,
    ),
    variants=VARIANTS,
    # The errors and throttles alarms always exist.
    warnings=lambda spec: common.unnotified_alarms(spec, NAME, True, "alarm_topic_arns"),
    starter=STARTER,
    permission_cloud="aws",
)
