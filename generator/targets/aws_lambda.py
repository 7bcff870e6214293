"""AWS Lambda (zip or container image) with a function URL: limits and context."""

from __future__ import annotations

import re
from typing import Any

from ..model import Spec
from . import common

NAME = "aws-lambda"
PROVIDER = "aws"
TEMPLATE_DIR = "aws-lambda"

MEMORY_MIN, MEMORY_MAX = 128, 10240
TIMEOUT_MAX = 900
MIB_PER_VCPU = 1769  # Lambda gives one vCPU per 1,769 MB of memory
ECR_IMAGE = re.compile(r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$")


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(spec, 50, "function and role names carry suffixes within 64 characters")
    memory = spec.resources.memory
    if not MEMORY_MIN <= memory <= MEMORY_MAX:
        found.append((("resources", "memory"), f"Lambda memory is {MEMORY_MIN}-{MEMORY_MAX} MiB; got {memory}"))
    elif common.explicit(spec, "resources.cpu") and spec.resources.cpu > memory / MIB_PER_VCPU + 1e-9:
        need = int(spec.resources.cpu * MIB_PER_VCPU + 0.999)
        found.append((("resources", "cpu"),
                      f"Lambda gives {memory / MIB_PER_VCPU:.2f} vCPU at {memory} MiB; raise memory to at least {need} or lower cpu"))
    if settings["timeout"] > TIMEOUT_MAX:
        found.append((("targets", NAME, "timeout"), f"Lambda timeout is at most {TIMEOUT_MAX} seconds; got {settings['timeout']}"))
    if settings["package"]["type"] == "image" and spec.container.image and not ECR_IMAGE.match(spec.container.image):
        found.append((("container", "image"), "a Lambda container image must be in ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG"))
    if common.explicit(spec, "scaling.concurrency") and spec.scaling.concurrency != 1:
        found.append((("scaling", "concurrency"), "a Lambda instance serves one request at a time; remove scaling.concurrency or set it to 1"))
    for metric in ("cpu_percent", "memory_percent"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append((("observability", "alarms", metric), f"Lambda publishes no {metric.split('_')[0]} metric; remove this alarm"))
    if common.explicit(spec, "network.allowed_cidrs") and spec.network.allowed_cidrs != ("0.0.0.0/0",):
        found.append((("network", "allowed_cidrs"),
                      "a Lambda function URL cannot be limited to source addresses; it is guarded by IAM auth unless network.public"))
    if settings["vpc"] and spec.network.vpc == "existing" and "network" not in settings:
        found.append((("targets", NAME), "vpc: true with network.vpc `existing` needs `network` with vpc_id and private_subnet_ids"))
    found += common.check_cloudwatch_retention(spec)
    return found


def context(spec: Spec) -> dict[str, Any]:
    return common.base_context(spec)
