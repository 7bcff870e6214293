"""The one list of targets. Everything that needs to know which targets exist
(schema, defaults, CLI choices, docs, emulator, conformance suite) asks here.

A new platform is one module beside its siblings that defines `TARGET`
(a `base.Target`, see base.py for the contract), its template folder, and one
line in TARGETS below.
"""

from __future__ import annotations

from . import (
    aws_ecs,
    aws_lambda,
    aws_sagemaker,
    azure_aci,
    azure_functions,
    gcp_cloud_functions,
    gcp_cloud_run,
    kubernetes,
)
from .base import EmulatorDrift, EmulatorGap, Target

TARGETS: tuple[Target, ...] = (
    aws_ecs.TARGET,
    aws_lambda.TARGET,
    aws_sagemaker.TARGET,
    gcp_cloud_run.TARGET,
    gcp_cloud_functions.TARGET,
    azure_aci.TARGET,
    azure_functions.TARGET,
    kubernetes.TARGET,
)

_BY_NAME = {target.name: target for target in TARGETS}


def get(name: str) -> Target:
    return _BY_NAME[name]


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def emulator_gaps() -> tuple[EmulatorGap, ...]:
    """What the AWS emulator cannot create, over every target (each entry once)."""
    return tuple(dict.fromkeys(gap for target in TARGETS for gap in target.emulator_gaps))


def emulator_drift() -> tuple[EmulatorDrift, ...]:
    """What the AWS emulator does not give back, over every target (each entry once)."""
    return tuple(dict.fromkeys(drift for target in TARGETS for drift in target.emulator_drift))
