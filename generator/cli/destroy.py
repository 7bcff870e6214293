"""`tfgen destroy SPEC --target T [--env E] [--emulator] [--auto-approve]`"""

from __future__ import annotations

from pathlib import Path

import click

from .. import colour
from ._run_options import (
    auto_approve_option,
    confirmer,
    echo_progress,
    emulator_option,
    module_options,
    resolve_module,
    variables_option,
)


@click.command("destroy")
@module_options
@emulator_option
@variables_option
@auto_approve_option
def command(
    spec: Path | None,
    target: str | None,
    env: str | None,
    modules_dir: Path,
    module_dir: Path | None,
    plugin_mirror: Path | None,
    emulator: bool,
    variables: dict[str, str],
    auto_approve: bool,
) -> None:
    """Destroy everything a module manages, after showing what and asking.

    Plans the destruction (`terraform plan -destroy`), prints that plan's
    summary, asks for confirmation unless --auto-approve (and fails instead
    of asking when stdin is not a terminal), then applies exactly that plan.

    \b
    Example:
      tfgen destroy examples/iris-classifier.yaml --target aws-ecs --emulator
      tfgen destroy --module-dir modules/iris-classifier/aws-ecs --auto-approve
    """
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, destroy
    from ..summary import to_text

    folder, label = resolve_module(spec, target, env, modules_dir, module_dir)
    paths = run_paths(folder, modules_dir, emulator=emulator)
    confirm = confirmer(auto_approve, "destroy")
    options = RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=label, variables=variables)

    def show(summary) -> None:
        click.echo(colour.plan_text(to_text(summary)), nl=False)

    done = destroy(paths, options, echo_progress, confirm=confirm, show=show)
    if done.destroy == 0:
        click.echo("Nothing to destroy.")
    else:
        click.echo(f"Destroyed: {done.destroy} resource(s).")
