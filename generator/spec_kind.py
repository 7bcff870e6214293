"""The spec's kind (issue 17): a `service` (a server behind a port, the default) or a `job`
(reads `job.input`, writes under `job.output`, exits).

Two sets of rules, as (field path, message) findings that validate.py locates:
`check_fields` on the spec as each target sees it (so a field set in an environment or in
`targets.<t>` is reported where it was written), and `check_targets`, the one place that
refuses a target that does not take the spec's kind (`Target.kinds`).
"""

from __future__ import annotations

from .model import Job, Spec
from .targets.base import Finding

# Fields that mean something only for a service, and why a job has no use for them.
SERVICE_ONLY: dict[tuple[str, ...], str] = {
    ("container", "port"): "a job listens on no port",
    ("container", "health_check"): "a job is not health-checked over HTTP (it succeeds by exiting 0)",
    ("container", "startup_seconds"): "a job has no model-load window (job.timeout_seconds limits a whole attempt)",
    ("network", "public"): "a job has no endpoint to expose",
    ("network", "allowed_cidrs"): "a job has no endpoint to reach",
    ("scaling",): "a job does not scale on load (job.array_size runs it as parallel children)",
    ("observability", "alarms", "error_rate_percent"): "a job serves no requests (its failed runs alarm on their own)",
}


def _set_by_user(spec: Spec, path: tuple[str, ...]) -> bool:
    return ".".join(path) in spec.explicit


def check_fields(spec: Spec) -> list[Finding]:
    """Fields of the other kind, a job without its section, and the job's own cross-field rules."""
    if spec.kind != "job":
        if not _set_by_user(spec, ("job",)):
            return []
        why = "`kind: service`" if _set_by_user(spec, ("kind",)) else "`kind` is not set, and defaults to `service`"
        return [
            (
                ("job",),
                f"only for a batch job (`kind: job`), and this spec is a service ({why}); remove it or set `kind: job`",
            )
        ]
    found: list[Finding] = [
        (path, f"only for a service, and this spec is a job (`kind: job`): {why}; remove it")
        for path, why in SERVICE_ONLY.items()
        if _set_by_user(spec, path)
    ]
    job = spec.job
    if job is None:
        return [*found, (("kind",), "a job needs the `job` section (at least job.input and job.output)")]
    for variable, field in ((job.input_env, "job.input"), (job.output_env, "job.output")):
        for section in ("env", "secrets"):
            if _set_by_user(spec, ("container", section, variable)):
                found.append(
                    (
                        ("container", section, variable),
                        f"`{variable}` carries {field} to the job's container; remove it from container.{section}",
                    )
                )
        if spec.model is not None and spec.model.env == variable:
            found.append(
                (
                    ("model", "env"),
                    f"`{variable}` carries {field} to the job's container; name the model's variable otherwise",
                )
            )
    if job.input_env == job.output_env:
        found.append(
            (
                ("job", "output_env"),
                f"`{job.output_env}` already carries job.input; name the output's variable otherwise",
            )
        )
    found += _check_model_outside_output(spec, job)
    found += _check_schedule(job.schedule)
    return found


def _check_model_outside_output(spec: Spec, job: Job) -> list[Finding]:
    """The job may write under job.output: the model must not be there, or a run could replace it."""
    model, output = spec.model, job.output
    if model is None or model.scheme != "s3" or model.bucket != output.bucket:
        return []
    inside = model.key.startswith(output.key) or (model.is_prefix and output.key.startswith(model.key))
    if not inside:
        return []
    return [
        (
            ("job", "output"),
            f"`{output.uri}` overlaps the model (`{model.uri}`): the job may write under job.output, so a run "
            "could overwrite the model; write the results under another prefix",
        )
    ]


def _check_schedule(schedule: str | None) -> list[Finding]:
    """EventBridge Scheduler's cron rule the schema's pattern cannot say: exactly one of
    day-of-month and day-of-week is `?` (the pattern has checked the six fields)."""
    if not schedule or not schedule.startswith("cron("):
        return []
    fields = schedule[len("cron(") : -1].split(" ")
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return [
            (
                ("job", "schedule"),
                f"day-of-month is `{day_of_month}` and day-of-week is `{day_of_week}`: exactly one of them must "
                "be `?` (EventBridge Scheduler), e.g. cron(0 2 * * ? *) for 02:00 UTC every day",
            )
        ]
    return []


def _a(kinds: frozenset[str] | set[str]) -> str:
    return " or ".join(f"a {kind}" for kind in sorted(kinds, reverse=True))  # "a service or a job"


def check_targets(spec: Spec) -> list[Finding]:
    """Every target of the spec must take its kind; the refusal names the targets that do."""
    from .targets import registry  # the registry imports every target, and targets import the model

    found: list[Finding] = []
    for name in spec.targets:
        target = registry.get(name)
        if spec.kind in target.kinds:
            continue
        others = [t.name for t in registry.TARGETS if spec.kind in t.kinds]
        alternatives = (
            f"targets that take a {spec.kind}: {', '.join(others)}" if others else f"no target takes a {spec.kind} yet"
        )
        if _set_by_user(spec, ("kind",)):
            found.append(
                (("kind",), f"{target.title} ({name}) takes {_a(target.kinds)}, not a {spec.kind}; {alternatives}")
            )
        else:  # `kind` is not set (a service): point at the target instead
            use = f", or use a target that takes a {spec.kind}: {', '.join(others)}" if others else ""
            found.append(
                (
                    ("targets", name),
                    f"{target.title} takes {_a(target.kinds)}, and this spec is a {spec.kind} (`kind` is not set, "
                    f"and defaults to `service`): set `kind: {sorted(target.kinds)[0]}`{use}",
                )
            )
    return found
