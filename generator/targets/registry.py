"""The one list of targets. Everything that needs to know which targets exist
(schema, defaults, CLI choices, docs, emulator, conformance suite) asks here.

A new platform is one module beside its siblings that defines `TARGET`
(a `base.Target`, see base.py for the contract), its template folder, and one
line in MODULES below.

A target's module is imported when it is first asked for (`get(name)`), not
when the registry is: `tfgen render` of an ECS spec does not pay for the
imports of the Kubernetes manifests or any other target. `TARGETS` (every
target, in MODULES order) imports them all on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import EmulatorDrift, EmulatorGap, Target

# target name -> its module under generator/targets/ (which defines TARGET); one line per target
MODULES: dict[str, str] = {
    "aws-ecs": "aws_ecs",
    "aws-lambda": "aws_lambda",
    "aws-sagemaker": "aws_sagemaker",
    "aws-batch": "aws_batch",
    "gcp-cloud-run": "gcp_cloud_run",
    "gcp-cloud-functions": "gcp_cloud_functions",
    "azure-aci": "azure_aci",
    "azure-functions": "azure_functions",
    "kubernetes": "kubernetes",
}

_LOADED: dict[str, Target] = {}


def get(name: str) -> Target:
    """The target called `name` (KeyError for an unknown name), its module imported on first use."""
    if name not in _LOADED:
        target = importlib.import_module(f"{__package__}.{MODULES[name]}").TARGET
        if target.name != name:  # the list and the module must agree, or `--target` and schema would lie
            raise RuntimeError(
                f"generator/targets/{MODULES[name]}.py defines target {target.name!r}, listed as {name!r}"
            )
        _LOADED[name] = target
    return _LOADED[name]


def names() -> tuple[str, ...]:
    return tuple(MODULES)


def __getattr__(attribute: str) -> tuple[Target, ...]:
    """`TARGETS`: every target in MODULES order (imports every target module)."""
    if attribute == "TARGETS":
        return tuple(get(name) for name in MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def emulator_gaps() -> tuple[EmulatorGap, ...]:
    """What the AWS emulator cannot create, over every target (each entry once)."""
    return tuple(dict.fromkeys(gap for name in MODULES for gap in get(name).emulator_gaps))


def emulator_drift() -> tuple[EmulatorDrift, ...]:
    """What the AWS emulator does not give back, over every target (each entry once)."""
    return tuple(dict.fromkeys(drift for name in MODULES for drift in get(name).emulator_drift))
