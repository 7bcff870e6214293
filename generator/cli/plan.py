"""`tfgen plan SPEC --target T [--env E] [--emulator] [--summary text|markdown|json]`"""

from __future__ import annotations

import re
from pathlib import Path

import click

from .. import colour
from ..summary import FORMATS
from ._run_options import (
    echo_progress,
    emulator_option,
    module_options,
    resolve_module,
    variables_option,
)

EXIT_CHANGES = 2  # as `terraform plan -detailed-exitcode`


@click.command("plan")
@module_options
@emulator_option
@variables_option
@click.option("--summary", "summary_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Summary on stdout: text, markdown (a pull-request comment) or json (machine-readable).")
def command(spec: Path | None, target: str | None, env: str | None, modules_dir: Path, module_dir: Path | None,
            plugin_mirror: Path | None, emulator: bool, variables: dict[str, str], summary_format: str) -> None:
    """Plan a module and save the plan for `tfgen apply`.

    Renders the module from SPEC (writing only what changed), runs
    `terraform init` and `terraform plan -out`, and saves the plan with a
    fingerprint of the module's files. Prints the summary on stdout:
    resources to be destroyed or replaced first, then the diff. Terraform's
    progress goes to stderr.

    Exit codes as `terraform plan -detailed-exitcode`: 0 no changes,
    2 changes, 1 error.

    \b
    Example:
      tfgen emulator start
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --emulator
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --env prod --summary markdown > plan.md
      tfgen plan --module-dir infra/legacy --plugin-mirror /opt/tf-plugins
      tfgen plan examples/iris-classifier.yaml --target gcp-cloud-run --var deletion_protection=false
    """
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, plan
    from ..summary import render
    from . import _kind_runner

    if (runner := _kind_runner.kind_runner(target)) is not None:  # e.g. kubectl diff for manifests
        _kind_runner.plan(runner, spec, target, env, modules_dir)
    folder, label = resolve_module(spec, target, env, modules_dir, module_dir)
    paths = run_paths(folder, modules_dir, emulator=emulator)
    options = RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=label, variables=variables)
    result = plan(paths, options, echo_progress, diff=summary_format != "json")
    text = render(result.summary, summary_format, full_plan=_shown(paths.plan_json_file))
    click.echo(colour.plan_text(text) if summary_format == "text" else text, nl=False)
    for note in secret_value_notes(folder):
        echo_progress(note)
    echo_progress(f"plan saved in {paths.work_dir}; `tfgen apply` with the same module arguments applies it")
    raise SystemExit(EXIT_CHANGES if result.has_changes else 0)


# Data sources that read a secret's value (not a reference) into Terraform: the value is then
# in the plan and the state in clear text, whatever `sensitive` hides from the CLI (issue 13 #10).
SECRET_VALUE_SOURCES = re.compile(
    r'^data\s+"(azurerm_key_vault_secret|aws_secretsmanager_secret_version|google_secret_manager_secret_version)"\s+"([^"]+)"',
    re.MULTILINE)


def secret_value_notes(folder: Path) -> list[str]:
    """What the plan holds that a reader of it should know: secret values read at plan time."""
    found = sorted({f"data.{kind}.{name}" for tf in folder.glob("*.tf")
                    for kind, name in SECRET_VALUE_SOURCES.findall(tf.read_text(encoding="utf-8"))})
    if not found:
        return []
    return [f"note: this plan holds secret values in clear text ({', '.join(found)} read them at plan time); so will the "
            "state after apply. Keep the state in an encrypted remote backend with restricted access, and do not keep or "
            "share the saved plan file."]


def _shown(path: Path) -> str:
    """`path` relative to the current directory when it is below it (what a CI log or comment can name)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
