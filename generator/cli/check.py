"""`tfgen check SPEC...`"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("check")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...", type=click.Path(path_type=Path))
@click.option("--env", default=None, help="Only this environment overlay. Default: the base and every environment.")
@click.option("--modules-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Compare against committed modules here (like `render --check`); default: render to a temporary folder.")
@click.option("--provider-schema", "provider_schemas", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Provider schema JSON (.json or .json.gz, from `terraform providers schema -json`) for lint; repeatable.")
@click.option("--plugin-mirror", type=click.Path(file_okay=False, path_type=Path), envvar="TFGEN_PLUGIN_MIRROR",
              help="Terraform filesystem mirror for offline `terraform init` (env TFGEN_PLUGIN_MIRROR).")
def command(specs, env, modules_dir, provider_schemas, plugin_mirror) -> None:
    """Run every gate: validate, render, fmt, lint, terraform validate, scan.

    Prints one summary table (step, status, time). Exit 0 when every step that
    ran is clean, 1 when any step found something, 3 when a tool failed.
    Steps that cannot run (no provider for `terraform validate`, no schema for
    lint) say so in the table.

    \b
    Example:
      tfgen check examples/*.yaml --modules-dir modules --plugin-mirror /opt/tf-plugins
    """
    from .. import colour
    from ..check import CheckOptions, exit_code, run_check, table

    def progress(line: str) -> None:  # "<step>: <status>"
        name, _, status = line.rpartition(": ")
        click.echo(f"{name}: {colour.status(status, status)}" if name else line, err=True)

    options = CheckOptions(list(specs), env, modules_dir, list(provider_schemas), plugin_mirror)
    steps = run_check(options, progress)
    for step in steps:
        for message in step.messages:
            click.echo(f"{colour.status(step.name, step.status)}: {message}")
    click.echo(table(steps, colour.status))
    raise SystemExit(exit_code(steps))
