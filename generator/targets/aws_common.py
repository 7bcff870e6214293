"""What the AWS targets share: the existing-network schema, the provider pin,
what the emulator drops for resources both use."""

from __future__ import annotations

from .base import EmulatorDrift, Provider

AWS_PROVIDER = Provider("aws", "hashicorp/aws", ">= 5.100.0, < 6.0.0")

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
