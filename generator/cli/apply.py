"""`tfgen apply SPEC --target T [--env E] [--emulator] [--allow-destroy] [--auto-approve]`"""

from __future__ import annotations

from pathlib import Path

import click

from ._run_options import (
    auto_approve_option,
    confirmer,
    echo_progress,
    emulator_option,
    module_options,
    resolve_module,
)


@click.command("apply")
@module_options
@emulator_option
@click.option(
    "--allow-destroy", "allow_destroy", is_flag=True, help="Apply even though the plan destroys or replaces resources."
)
@auto_approve_option
def command(
    spec: Path | None,
    target: str | None,
    env: str | None,
    modules_dir: Path,
    module_dir: Path | None,
    plugin_mirror: Path | None,
    emulator: bool,
    allow_destroy: bool,
    auto_approve: bool,
) -> None:
    """Apply the plan saved by `tfgen plan`, and nothing else.

    Refuses (exit 1) when there is no saved plan, when the module's files
    (or the terraform version) changed since the plan, when the plan
    destroys or replaces resources and --allow-destroy is not given, when the
    saved plan file is not the one `tfgen plan` made (its sha256 is recorded),
    and when a plan made against the emulator is applied without --emulator
    (or the other way round). The summary and the destroy check are read from
    the very plan file being applied. Asks for confirmation unless --auto-approve; when stdin
    is not a terminal it fails instead of asking.

    \b
    Example:
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --emulator
      tfgen apply examples/iris-classifier.yaml --target aws-ecs --emulator --auto-approve
    """
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, apply
    from . import _kind_runner

    if (runner := _kind_runner.kind_runner(target)) is not None:  # e.g. kubectl apply for manifests
        _kind_runner.apply(runner, spec, target, env, modules_dir, auto_approve)
        return
    folder, label = resolve_module(spec, target, env, modules_dir, module_dir)
    paths = run_paths(folder, modules_dir, emulator=emulator)
    confirm = confirmer(auto_approve, "apply", show_summary=True)
    options = RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=label)
    applied = apply(paths, options, echo_progress, allow_destroy=allow_destroy, confirm=confirm)
    if applied is None:
        click.echo("No changes: nothing applied.")
    else:
        click.echo(f"Applied: {applied.add} added, {applied.change} changed, {applied.destroy} destroyed.")
