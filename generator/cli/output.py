"""`tfgen output SPEC --target T [--env E] [--show-sensitive]`"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._run_options import echo_progress, emulator_option, module_options, resolve_module

REDACTED = "(sensitive value)"


@click.command("output")
@module_options
@emulator_option
@click.option(
    "--show-sensitive",
    "show_sensitive",
    is_flag=True,
    help="Print sensitive outputs in clear (by default they are replaced by a marker).",
)
def command(
    spec: Path | None,
    target: str | None,
    env: str | None,
    modules_dir: Path,
    module_dir: Path | None,
    plugin_mirror: Path | None,
    emulator: bool,
    show_sensitive: bool,
) -> None:
    """Print the module's outputs as one JSON object {name: value}.

    Sensitive outputs print as "(sensitive value)" unless --show-sensitive.
    With --emulator, the outputs of what was applied to the emulator (its
    state is kept apart from a real deployment's).
    An empty object means nothing has been applied (or the module has no
    outputs).

    \b
    Example:
      tfgen output examples/iris-classifier.yaml --target aws-ecs | jq -r .service_url
      tfgen output examples/iris-classifier.yaml --target aws-ecs --emulator
    """
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, outputs

    folder, label = resolve_module(spec, target, env, modules_dir, module_dir)
    paths = run_paths(folder, modules_dir, emulator=emulator)
    raw = outputs(paths, RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=label), echo_progress)
    values = {
        name: (entry.get("value") if show_sensitive or not entry.get("sensitive") else REDACTED)
        for name, entry in sorted(raw.items())
    }
    click.echo(json.dumps(values, indent=2, sort_keys=True))
