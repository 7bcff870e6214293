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
    """The backend block's type and arguments, for templates/_shared/backend.tf.j2.

    `cloud` (HCP Terraform / Terraform Enterprise) is a `cloud {}` block, not a backend: its
    workspace is chosen by name (`workspace`; default: one per module, `<name>-<target>`, which
    the template completes) or by tags (`workspace_tags`)."""
    settings: dict[str, Any] = dict(spec.state.settings)
    if spec.state.backend == "cloud":
        workspaces: dict[str, Any] = {}
        if "workspace_tags" in settings:
            workspaces["tags"] = list(settings["workspace_tags"])
        elif "workspace" in settings:
            workspaces["name"] = settings["workspace"]
        if "project" in settings:
            workspaces["project"] = settings["project"]
        cloud = {key: settings[key] for key in ("organization", "hostname") if key in settings}
        return {"type": "cloud", "settings": cloud, "workspaces": workspaces}
    if spec.state.backend == "s3":
        settings.setdefault("encrypt", True)
        settings.setdefault("use_lockfile", True)  # S3-native locking (Terraform >= 1.10)
    return {"type": spec.state.backend, "settings": settings}


def base_context(spec: Spec) -> dict[str, Any]:
    """What every module's templates read (the shared README and backend among them)."""
    return {
        "name": spec.name,
        "service": spec.service,
        "environment": spec.env,
        "description": spec.description,
        "tags": tags(spec),
        "backend": backend(spec),
    }


def _cloud_workspace_rules(spec: Spec) -> list[Finding]:
    """One workspace holds one module's state: a named workspace fits a spec with one Terraform module."""
    if spec.state.backend != "cloud":
        return []
    settings = spec.state.settings
    if "workspace" in settings and "workspace_tags" in settings:
        return [(("state", "workspace_tags"), "give `workspace` (one workspace by name) or `workspace_tags`, not both")]
    if "workspace" in settings and len(spec.targets) > 1:
        return [
            (
                ("state", "workspace"),
                f"one workspace would hold the state of {len(spec.targets)} modules "
                f"({', '.join(sorted(spec.targets))}); leave `workspace` out (each module gets `<name>-<target>`) "
                "or use `workspace_tags`",
            )
        ]
    return []


def check_name_length(spec: Spec, limit: int, why: str) -> list[Finding]:
    if len(spec.name) > limit:
        return [(("name",), f"`{spec.name}` is {len(spec.name)} characters; at most {limit} here ({why})")]
    return []


# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def check_cloudwatch_retention(spec: Spec) -> list[Finding]:
    days = spec.observability.log_retention_days
    if days not in CLOUDWATCH_RETENTION_DAYS:
        near = min(CLOUDWATCH_RETENTION_DAYS, key=lambda d: abs(d - days))
        return [
            (
                ("observability", "log_retention_days"),
                f"CloudWatch Logs cannot keep logs {days} days; use one of {', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))} (nearest: {near})",
            )
        ]
    return []


def explicit(spec: Spec, dotted_path: str) -> bool:
    return dotted_path in spec.explicit


def check_any_source_only(spec: Spec, platform: str) -> list[Finding]:
    """Platforms whose public endpoint cannot filter by source address."""
    if spec.network.public and explicit(spec, "network.allowed_cidrs") and spec.network.allowed_cidrs != ("0.0.0.0/0",):
        return [
            (
                ("network", "allowed_cidrs"),
                f'a public {platform} endpoint cannot be limited to source addresses; use ["0.0.0.0/0"] or network.public: false',
            )
        ]
    return []


def check_view(spec: Spec) -> list[Finding]:
    """Rules every target shares, on the spec as one target sees it (its overrides merged in)."""
    found: list[Finding] = []
    if spec.scaling.min > spec.scaling.max:
        found.append((("scaling", "min"), f"min ({spec.scaling.min}) is greater than max ({spec.scaling.max})"))
    health = spec.container.health
    if health.timeout >= health.interval:
        found.append(
            (
                ("container", "health_check", "timeout"),
                f"timeout ({health.timeout}s) must be less than interval ({health.interval}s)",
            )
        )
    found += _check_model(spec)
    return found


def _check_model(spec: Spec) -> list[Finding]:
    if "model" in {p.split(".", 1)[0] for p in spec.explicit} and spec.model is None:
        return [(("model",), "missing required field `uri`")]
    model = spec.model
    if model is None:
        return []
    found: list[Finding] = []
    if f"container.env.{model.env}" in spec.explicit:
        found.append(
            (
                ("model", "env"),
                f"`{model.env}` is also in container.env; model.env names the variable that carries model.uri",
            )
        )
    if model.env in spec.container.secrets:
        found.append(
            (
                ("model", "env"),
                f"`{model.env}` is also in container.secrets; model.env names the variable that carries model.uri",
            )
        )
    if model.kms_key and model.scheme != "s3":
        found.append(
            (
                ("model", "kms_key"),
                "only for an s3:// model: Cloud Storage and Azure Storage decrypt with customer-managed "
                "keys themselves, so the reader needs no key grant; remove model.kms_key",
            )
        )
    return found


# model.scheme -> the URI form in words (for refusals)
MODEL_SCHEMES = {
    "s3": "s3://BUCKET/KEY",
    "gs": "gs://BUCKET/OBJECT",
    "azure-blob": "https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH",
}


def check_model_readable(spec: Spec, target: str, scheme: str, platform: str) -> list[Finding]:
    """A model URI this target's cloud cannot grant read access to: refused, unless the target overrides it."""
    if spec.model is None or spec.model.scheme == scheme:
        return []
    return [
        (
            ("model", "uri"),
            f"{platform} cannot be granted read access to `{spec.model.uri}`; give this target a model it can "
            f"read ({MODEL_SCHEMES[scheme]}) in targets.{target}.model.uri",
        )
    ]


def check_common(spec: Spec) -> list[Finding]:
    """Rules over the whole spec (every target's view)."""
    found: list[Finding] = []
    from . import (
        registry,  # the registry imports every target, and targets import this module
    )

    found.extend(_cloud_workspace_rules(spec))
    needs_image = [
        t for t, s in spec.targets.items() if registry.get(t).needs_image(s) and not spec.for_target(t).container.image
    ]
    if needs_image:
        found.append((("container",), f"missing required field `image` (needed by {', '.join(needs_image)})"))
    for name in spec.targets:
        target, view = registry.get(name), spec.for_target(name)
        if target.permission_cloud is None and view.permissions.any:
            found.append(
                (
                    ("permissions",),
                    f"{target.title} renders no grants for the application's identity: grant these "
                    f"outside tfgen, and render {name} from a spec without `permissions`",
                )
            )
        if target.permission_cloud is None and target.output.name == "terraform" and view.model is not None:
            found.append(
                (
                    ("model",),
                    f"{target.title} renders no read grant for a model yet: remove `model` or render "
                    f"{name} from a spec without it",
                )
            )
    for cloud in ("aws", "gcp", "azure"):
        used = explicit(spec, f"permissions.{cloud}") or (
            cloud == "aws" and explicit(spec, "permissions.metrics_namespace")
        )
        if not used:
            continue  # asked only when used: it imports every target
        renders = [t.name for t in registry.TARGETS if t.permission_cloud == cloud]
        if not set(renders) & set(spec.targets):
            field = cloud if explicit(spec, f"permissions.{cloud}") else "metrics_namespace"
            found.append(
                (("permissions", field), f"no target of this spec uses it (only {', '.join(renders)} would); remove it")
            )
    return found


def check_no_cpu_target(spec: Spec, platform: str, how: str) -> list[Finding]:
    """Platforms that scale on their own signal and take no CPU target."""
    if spec.scaling.cpu_target is not None:
        return [
            (
                ("scaling", "cpu_target"),
                f"{platform} has no CPU-target setting ({how}); remove scaling.cpu_target for this target",
            )
        ]
    return []


def unnotified_alarms(spec: Spec, target: str, has_alarms: bool, destinations: str) -> list[Finding]:
    """Issue 13 #3: a warning for `tfgen check` when the module has alarms and nobody is told of them."""
    if has_alarms and not spec.observability.notify_emails and not spec.target(target).get(destinations):
        return [
            (
                ("observability",),
                f"the {target} module has alarms that notify nobody: set observability.notify_emails "
                f"or targets.{target}.{destinations}",
            )
        ]
    return []


# Issue 12 #3: who can honour a compute field, for the refusals' "targets that can": the
# registered targets whose declared variants (their tests) use it.
CAPABILITIES = {
    "arm64": lambda resources: resources.get("architecture") == "arm64",
    "spot": lambda resources: resources.get("spot") is True,
    "gpu": lambda resources: "gpu" in resources,
}


def targets_that_can(capability: str, kind: str = "service") -> str:
    """The targets taking a spec of `kind` (service or job) that can honour `capability`, or "none" in words."""
    from . import registry  # the registry imports every target, and targets import this module

    uses = CAPABILITIES[capability]
    can = [
        t.name
        for t in registry.TARGETS
        if kind in t.kinds and any(uses(variant.get("resources") or {}) for variant in t.variants.values())
    ]
    return ", ".join(can) if can else f"none of tfgen's targets for a {kind}"


def check_compute(
    spec: Spec,
    platform: str,
    *,
    startup_max: int | None = None,
    startup_why: str = "",
    arm64: str | None = None,
    spot: str | None = None,
    gpu: str | None = None,
    writable: tuple[str, ...] | None = None,
    writable_why: str = "",
) -> list[Finding]:
    """Refusals of container.startup_seconds / writable_paths and resources.architecture / spot / gpu
    where `platform` cannot honour them; each reason (None: honoured) says why."""
    found: list[Finding] = []
    startup = spec.container.startup_seconds
    if startup is not None and startup_max is not None and startup > startup_max:
        found.append(
            (
                ("container", "startup_seconds"),
                f"{platform} allows at most {startup_max} s here ({startup_why}); got {startup}",
            )
        )
    if arm64 and spec.resources.architecture == "arm64":
        found.append(
            (
                ("resources", "architecture"),
                f"{platform} runs x86_64 images only ({arm64}); targets that can run "
                f"arm64: {targets_that_can('arm64', spec.kind)}",
            )
        )
    if spot and spec.resources.spot:
        found.append(
            (
                ("resources", "spot"),
                f"{platform} cannot run on Spot capacity ({spot}); targets that can: {targets_that_can('spot', spec.kind)}",
            )
        )
    if gpu and spec.resources.gpu is not None:
        found.append(
            (
                ("resources", "gpu"),
                f"{platform} has no GPUs ({gpu}); targets that can: {targets_that_can('gpu', spec.kind)}",
            )
        )
    if writable is not None:
        for i, path in enumerate(spec.container.writable_paths):
            if path not in writable:
                found.append(
                    (
                        ("container", "writable_paths", i),
                        f"{platform} can write only {', '.join(writable)} ({writable_why}); remove `{path}`",
                    )
                )
    return found
