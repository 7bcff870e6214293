"""Context every target shares: names, tags, the state backend, checks helpers."""

from __future__ import annotations

from typing import Any

from ..model import Spec
from .base import Finding


def tags(spec: Spec) -> dict[str, str]:
    """The user's labels plus tfgen's own (the user's win on a clash)."""
    base = {"managed-by": "tfgen", "service": spec.service}
    if spec.env:
        base["environment"] = spec.env
    return {**base, **spec.labels}


def backend(spec: Spec) -> dict[str, Any]:
    """The backend block's type and arguments, for templates/_shared/backend.tf.j2."""
    settings: dict[str, Any] = dict(spec.state.settings)
    if spec.state.backend == "s3":
        settings.setdefault("encrypt", True)
        settings.setdefault("use_lockfile", True)  # S3-native locking (Terraform >= 1.10)
    return {"type": spec.state.backend, "settings": settings}


def base_context(spec: Spec) -> dict[str, Any]:
    """What every module's templates read (the shared README and backend among them)."""
    return {"name": spec.name, "service": spec.service, "environment": spec.env, "description": spec.description,
            "tags": tags(spec), "backend": backend(spec)}


def check_name_length(spec: Spec, limit: int, why: str) -> list[Finding]:
    if len(spec.name) > limit:
        return [(("name",), f"`{spec.name}` is {len(spec.name)} characters; at most {limit} here ({why})")]
    return []


# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                             1827, 2192, 2557, 2922, 3288, 3653)


def check_cloudwatch_retention(spec: Spec) -> list[Finding]:
    days = spec.observability.log_retention_days
    if days not in CLOUDWATCH_RETENTION_DAYS:
        near = min(CLOUDWATCH_RETENTION_DAYS, key=lambda d: abs(d - days))
        return [(("observability", "log_retention_days"),
                 f"CloudWatch Logs cannot keep logs {days} days; use one of {', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))} (nearest: {near})")]
    return []


def explicit(spec: Spec, dotted_path: str) -> bool:
    return dotted_path in spec.explicit


def check_any_source_only(spec: Spec, platform: str) -> list[Finding]:
    """Platforms whose public endpoint cannot filter by source address."""
    if spec.network.public and explicit(spec, "network.allowed_cidrs") and spec.network.allowed_cidrs != ("0.0.0.0/0",):
        return [(("network", "allowed_cidrs"),
                 f"a public {platform} endpoint cannot be limited to source addresses; use [\"0.0.0.0/0\"] or network.public: false")]
    return []


def check_common(spec: Spec) -> list[Finding]:
    """Rules every target shares."""
    found: list[Finding] = []
    if spec.scaling.min > spec.scaling.max:
        found.append((("scaling", "min"), f"min ({spec.scaling.min}) is greater than max ({spec.scaling.max})"))
    health = spec.container.health
    if health.timeout >= health.interval:
        found.append((("container", "health_check", "timeout"),
                      f"timeout ({health.timeout}s) must be less than interval ({health.interval}s)"))
    from . import (
        registry,  # the registry imports every target, and targets import this module
    )

    needs_image = [t for t, s in spec.targets.items() if registry.get(t).needs_image(s)]
    if needs_image and not spec.container.image:
        found.append((("container",), f"missing required field `image` (needed by {', '.join(needs_image)})"))
    return found


def check_no_cpu_target(spec: Spec, platform: str, how: str) -> list[Finding]:
    """Platforms that scale on their own signal and take no CPU target."""
    if spec.scaling.cpu_target is not None:
        return [(("scaling", "cpu_target"), f"{platform} has no CPU-target setting ({how}); remove scaling.cpu_target for this target")]
    return []


def unnotified_alarms(spec: Spec, target: str, has_alarms: bool, destinations: str) -> list[Finding]:
    """Issue 13 #3: a warning for `tfgen check` when the module has alarms and nobody is told of them."""
    if has_alarms and not spec.observability.notify_emails and not spec.target(target).get(destinations):
        return [(("observability",), f"the {target} module has alarms that notify nobody: set observability.notify_emails "
                                     f"or targets.{target}.{destinations}")]
    return []
