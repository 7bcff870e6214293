"""What the AWS targets share: the provider pin, the existing-network schema,
what the emulator drops for resources they both use, and the shape of a
created VPC (subnet maths and the context of the templates/_shared/aws/ partials)."""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import hcl
from .base import EmulatorDrift, Provider, StarterQuestion

AWS_PROVIDER = Provider("aws", "hashicorp/aws", ">= 5.100.0, < 6.0.0")

# `tfgen init` asks it once for every AWS target chosen.
REGION_QUESTION = StarterQuestion("region", "AWS region", "AWS region.", default="us-east-1")

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
    return {"emails": list(spec.observability.notify_emails), "topic_arns": topics,
            "actions": [hcl.Expr(own_topic), *topics]}


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


def subnet_cidr_in_terraform() -> hcl.Expr:
    """The private subnet ranges computed by Terraform from the VPC (the same split as subnet_cidrs)."""
    return hcl.Expr(f"cidrsubnet(aws_vpc.this.cidr_block, {SUBNET_NEWBITS}, count.index)")


def listed_subnet_cidr(cidrs: list[str]) -> hcl.Expr:
    """A subnet range from a list computed here (subnet_cidrs), by count.index."""
    return hcl.Expr(f"element({hcl.encode(cidrs)}, count.index)")


def flow_logs(log_group: str, retention_days: int, role: str, role_policy: str, *,
              assume_policy: str = "flow_logs_assume", role_description: str | None = None) -> dict[str, Any]:
    """Context of templates/_shared/aws/flow_logs.tf.j2."""
    return {"log_group": log_group, "retention_days": retention_days, "role": role, "role_policy": role_policy,
            "assume_policy": assume_policy, "role_description": role_description}
