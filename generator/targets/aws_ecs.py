"""AWS ECS on Fargate behind an ALB: limits and the template context."""

from __future__ import annotations

from typing import Any

from ..model import Spec
from . import common

NAME = "aws-ecs"
PROVIDER = "aws"
TEMPLATE_DIR = "aws-ecs"

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


def _memory_words(allowed: tuple[int, ...]) -> str:
    if len(allowed) <= 3:
        return ", ".join(map(str, allowed))
    return f"{allowed[0]}-{allowed[-1]} in steps of {allowed[1] - allowed[0]}"


def check(spec: Spec) -> list[common.Finding]:
    settings = spec.target(NAME)
    found = common.check_name_length(spec, 29, "ALB and target group names are at most 32 characters")
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu not in FARGATE_MEMORY:
        found.append((("resources", "cpu"), f"Fargate supports cpu {', '.join(f'{c:g}' for c in FARGATE_MEMORY)}; got {cpu:g}"))
    elif memory not in FARGATE_MEMORY[cpu]:
        found.append((("resources", "memory"),
                      f"Fargate with {cpu:g} vCPU needs memory {_memory_words(FARGATE_MEMORY[cpu])} MiB; got {memory}"))
    if spec.network.public and "certificate_arn" not in settings:
        found.append((("targets", NAME), "a public service needs `certificate_arn` (the ALB only serves HTTPS)"))
    if spec.network.vpc == "existing":
        net = settings.get("network")
        if net is None:
            found.append((("targets", NAME), "network.vpc is `existing`: give `network` with vpc_id and private_subnet_ids"))
        elif spec.network.public and len(net.get("public_subnet_ids", ())) < 2:
            found.append((("targets", NAME, "network"), "a public ALB in an existing VPC needs `public_subnet_ids` (two or more)"))
    elif "network" in settings:
        found.append((("targets", NAME, "network"), "only used when network.vpc is `existing`; remove it or set network.vpc: existing"))
    found += common.check_cloudwatch_retention(spec)
    return found


def context(spec: Spec) -> dict[str, Any]:
    return common.base_context(spec)
