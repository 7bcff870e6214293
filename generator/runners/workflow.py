"""plan, apply, destroy and output for one module: the steps and the refusals.

    plan     init, plan -out, show; save the plan with the module's fingerprint,
             the files it reads from outside, and the plan file's sha256
    apply    copy the saved plan file aside and check its sha256; refuse unless
             it still matches the module, its destroys (read from that very
             file) are allowed and the user agreed; apply exactly that file
    destroy  plan -destroy, show it, ask, apply that plan
    output   the module's outputs

Terminal I/O stays in the CLI: progress goes to `echo`, and the confirmation
is a callback (None means --auto-approve).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RunError
from ..summary import PlanSummary, ResourceChange, summarize
from . import emulator as emulator_server
from . import emulator_overrides
from .plans import (
    PlanRecord,
    RunPaths,
    changed_files,
    changed_outside_files,
    copy_private,
    discard,
    file_sha256,
    files_read_outside,
    fingerprint,
    load_record,
    save_record,
    tighten_state_files,
    write_private,
)
from .terraform import Echo, Terraform
from .tfconfig import write_cli_config

Confirm = Callable[[PlanSummary], bool]


@dataclass(frozen=True)
class RunOptions:
    plugin_mirror: Path | None = None
    emulator: bool = False
    label: str = ""  # how summaries name the module
    # the user's `--var NAME=VALUE` (plan, destroy): module inputs a module README says to set; the saved plan keeps them
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResult:
    summary: PlanSummary
    has_changes: bool  # terraform's -detailed-exitcode verdict


@dataclass
class _Session:
    terraform: Terraform
    emulator: emulator_server.Emulator | None
    variables: dict[str, str]
    override: dict | None  # the emulator override file's document, present for every terraform call

    def overridden(self, paths: RunPaths):
        """The emulator override file in the module folder for the duration of the block (if any)."""
        return emulator_overrides.provider_override(paths.module_dir, self.override)


def _session(paths: RunPaths, options: RunOptions, echo: Echo, *, planning: bool) -> _Session:
    """A terraform for this module, set up for the emulator when asked."""
    if options.emulator != paths.emulator:
        raise ValueError("RunPaths and RunOptions disagree about emulator mode")  # a bug, not user input
    cli_config = write_cli_config(paths.work_dir, options.plugin_mirror)
    running, env, variables, override = None, {}, {}, None
    emulator_overrides.remove_override(paths.module_dir)  # one a killed tfgen left must never reach a real run
    if options.emulator:
        running = emulator_server.require_running()
        env = emulator_overrides.terraform_env(running)
        settings = emulator_overrides.plan_settings(paths.module_dir, paths.emulator_state_file)
        variables, override = settings.variables, settings.override
        clashes = {n: v for n, v in options.variables.items() if n in variables and variables[n] != v}
        if clashes:
            name, value = next(iter(sorted(clashes.items())))
            raise RunError(
                f"--var {name}={value}: the emulator cannot create what {name} switches on, so "
                f"emulator runs set it to {variables[name]}; drop --var {name} or run without --emulator"
            )
        if planning:
            for note in settings.notes:
                echo(note)
    variables = {**options.variables, **variables}
    return _Session(Terraform(paths, cli_config, env=env, echo=echo), running, variables, override)


def _init_once(session: _Session, paths: RunPaths) -> None:
    if not paths.data_dir.is_dir():
        session.terraform.init()


def plan(paths: RunPaths, options: RunOptions, echo: Echo, *, diff: bool = True) -> PlanResult:
    """Plan and save the plan with the fingerprint of the files it was made from.

    `diff`: also get Terraform's human diff (`terraform show PLANFILE`), which
    costs another provider start (seconds with the AWS provider).
    """
    session = _session(paths, options, echo, planning=True)
    tf = session.terraform
    discard(paths)  # a failed plan must never leave an older one to apply
    before = fingerprint(paths.module_dir, tf.version(), session.variables)
    with session.overridden(paths):
        tf.init()
        has_changes = tf.plan(paths.plan_file, session.variables)
    plan_sha256 = file_sha256(paths.plan_file)
    plan_json = tf.show_json(paths.plan_file)
    summary = summarize(plan_json, tf.show_text(paths.plan_file) if diff else "", options.label)
    outside = files_read_outside(plan_json, paths.module_dir)
    after = fingerprint(paths.module_dir, tf.version(), session.variables)
    if after.digest != before.digest:
        discard(paths)
        raise RunError(
            f"{paths.module_dir} changed while terraform was planning "
            f"({'; '.join(_differences(before, after))}); run tfgen plan again"
        )
    tighten_state_files(paths)
    write_private(paths.plan_json_file, json.dumps(plan_json) + "\n")
    save_record(
        paths,
        PlanRecord(
            fingerprint=before.digest,
            files=before.files,
            terraform_version=tf.version(),
            variables=session.variables,
            emulator=session.emulator.identity if session.emulator else None,
            has_changes=has_changes,
            plan_sha256=plan_sha256,
            destroys=[c.address for c in summary.destroys],
            outside_files=outside,
        ),
    )
    return PlanResult(summary, has_changes)


def guarded_destroys(summary: PlanSummary) -> tuple[ResourceChange, ...]:
    """What needs --allow-destroy: every delete, and every replacement a target does not declare
    routine (Target.routine_replacements, e.g. an ECS task definition's new revision)."""
    from ..targets import registry

    routine = {kind for target in registry.TARGETS for kind in target.routine_replacements}
    return tuple(c for c in summary.destroys if not (c.action == "replace" and c.type in routine))


def apply(
    paths: RunPaths, options: RunOptions, echo: Echo, *, allow_destroy: bool, confirm: Confirm | None
) -> PlanSummary | None:
    """Apply the saved plan, after every check; the summary of what was applied (None: nothing to do).

    The plan file is copied aside first; its sha256 must be the one recorded
    when `tfgen plan` made it, and the summary, the destroy guard and the
    apply all use that copy, so what was checked is exactly what is applied.
    """
    record = load_record(paths)
    if record is None:
        raise RunError(_no_plan_message(paths))
    session = _session(paths, options, echo, planning=False)
    _check_emulator(record, session.emulator)
    _check_unchanged(paths, record, session.terraform)
    applying = paths.work_dir / "applying.tfplan"
    copy_private(paths.plan_file, applying)
    try:
        if file_sha256(applying) != record.plan_sha256:
            raise RunError(
                f"refusing to apply: the saved plan file {paths.plan_file} is not the one "
                "`tfgen plan` made (its sha256 differs from the record): run `tfgen plan` again"
            )
        _init_once(session, paths)
        with session.overridden(paths):
            summary = summarize(session.terraform.show_json(applying), module=options.label)
            guarded = guarded_destroys(summary)
            if guarded and not allow_destroy:
                listed = "\n".join(f"  {change.address}" for change in guarded)
                raise RunError(
                    f"refusing to apply: the plan destroys or replaces {len(guarded)} "
                    f"resource(s):\n{listed}\nreview them, then run again with --allow-destroy"
                )
            if not summary.has_changes:
                echo("the saved plan has no changes: nothing to apply")
                discard(paths)
                return None
            if confirm is not None and not confirm(summary):
                raise RunError("apply cancelled: nothing was changed")
            try:
                session.terraform.apply(applying)
            finally:
                tighten_state_files(paths)
        discard(paths)  # applied: terraform would refuse it as stale anyway
        return summary
    finally:
        applying.unlink(missing_ok=True)


def _no_plan_message(paths: RunPaths) -> str:
    message = f"no saved plan for {paths.module_dir}: run `tfgen plan` first"
    other = paths.other_mode()
    if load_record(other) is not None:
        flag = "without --emulator" if paths.emulator else "with --emulator"
        made = "against the real cloud" if paths.emulator else "against the emulator"
        message += f" (there is a plan made {made}: apply it {flag})"
    return message


def plan_destroy(paths: RunPaths, options: RunOptions, echo: Echo) -> tuple[_Session, PlanSummary]:
    """Plan the destruction of everything the module manages (saved apart from `tfgen plan`'s plan)."""
    session = _session(paths, options, echo, planning=True)
    tf = session.terraform
    paths.destroy_plan_file.unlink(missing_ok=True)
    with session.overridden(paths):
        tf.init()
        tf.plan(paths.destroy_plan_file, session.variables, destroy=True)
        # No diff: every attribute of every resource, going; the addresses are what to review.
        summary = summarize(tf.show_json(paths.destroy_plan_file), module=options.label)
    return session, summary


def destroy(
    paths: RunPaths, options: RunOptions, echo: Echo, *, confirm: Confirm | None, show: Callable[[PlanSummary], None]
) -> PlanSummary:
    """Destroy everything the module manages, after showing the plan and asking."""
    session, summary = plan_destroy(paths, options, echo)
    show(summary)
    if summary.destroy == 0:
        paths.destroy_plan_file.unlink(missing_ok=True)
        return summary
    if confirm is not None and not confirm(summary):
        paths.destroy_plan_file.unlink(missing_ok=True)
        raise RunError("destroy cancelled: nothing was changed")
    try:
        with session.overridden(paths):
            session.terraform.apply(paths.destroy_plan_file)
    finally:
        paths.destroy_plan_file.unlink(missing_ok=True)
        tighten_state_files(paths)
        discard(paths)  # whatever `tfgen plan` saved is stale now
    return summary


def outputs(paths: RunPaths, options: RunOptions, echo: Echo) -> dict:
    """`terraform output -json` of the module: {name: {value, type, sensitive}}."""
    session = _session(paths, options, echo, planning=False)
    with session.overridden(paths):
        _init_once(session, paths)
        return session.terraform.outputs()


def state_resources(paths: RunPaths, options: RunOptions, echo: Echo) -> list[str]:
    """Addresses of the resources in the module's state (what destroy would remove)."""
    session = _session(paths, options, echo, planning=False)
    with session.overridden(paths):
        _init_once(session, paths)
        return session.terraform.state_resources()


def _check_emulator(record: PlanRecord, running: emulator_server.Emulator | None) -> None:
    if record.emulator and running is None:
        raise RunError("this plan was made against the emulator: run apply with --emulator (or plan again without it)")
    if running is not None and not record.emulator:
        raise RunError(
            "this plan was made against the real cloud, not the emulator: "
            "run `tfgen plan --emulator` first (or apply without --emulator)"
        )
    if running is not None and record.emulator != running.identity:
        raise RunError(
            "the emulator was restarted since this plan, so what it planned against is gone: "
            "run `tfgen plan --emulator` again"
        )


def _check_unchanged(paths: RunPaths, record: PlanRecord, tf: Terraform) -> None:
    current = fingerprint(paths.module_dir, tf.version(), record.variables)
    outside = changed_outside_files(record)
    if current.digest == record.fingerprint and not outside:
        return
    reasons = changed_files(record, current) + outside
    if tf.version() != record.terraform_version:
        reasons.append(f"terraform version: {record.terraform_version} at plan time, {tf.version()} now")
    listed = "\n".join(f"  {reason}" for reason in reasons) or "  (fingerprint differs)"
    raise RunError(
        f"refusing to apply: {paths.module_dir} changed since the plan was made:\n{listed}\n"
        "run `tfgen plan` again and review the new plan"
    )


def _differences(before, after) -> list[str]:
    names = sorted(set(before.files) | set(after.files))
    return [name for name in names if before.files.get(name) != after.files.get(name)]
