"""`tfgen scan PATH... [--plan FILE] [--format F] [--output FILE] [--soft-fail]`"""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, WriteError
from ..report import FORMATS, render_report


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="PATH...")
@click.option(
    "--plan",
    "plan",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Scan a saved plan instead: the JSON of `terraform show -json`, or the binary plan "
    "(PATH is then its module directory; default: the plan's directory).",
)
@click.option(
    "--saved-plan",
    "saved_plan",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="MODULE_DIR",
    help="Scan the plan `tfgen plan` saved for this module folder.",
)
@click.option(
    "--modules-dir",
    "modules_dir",
    default="modules",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="With --saved-plan: the root of rendered modules.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Report format (written to --output, else to stdout).",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the report in --format to FILE; the terminal still gets the table.",
)
@click.option("--soft-fail", is_flag=True, help="Report failed checks but exit 0.")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="Give up on Checkov after this long.",
)
def command(
    paths: tuple[Path, ...],
    plan: Path | None,
    saved_plan: Path | None,
    modules_dir: Path,
    fmt: str,
    output: Path | None,
    soft_fail: bool,
    timeout: int,
) -> None:
    """Run Checkov once over Terraform modules and report every check.

    Exit 1 when any check fails (unless --soft-fail), 3 when Checkov is
    missing or breaks. An inline `#checkov:skip=ID:reason` is honoured only
    with a reason; a skip without one is itself a failure.

    \b
    Example:
      tfgen scan modules/iris-classifier/aws-ecs modules/iris-classifier/aws-lambda
      tfgen scan modules/* --format sarif --output checkov.sarif
      tfgen scan --plan plan.json modules/iris-classifier/aws-ecs
      tfgen scan --saved-plan modules/iris-classifier/aws-ecs    # after `tfgen plan`
    """
    from ..runners.checkov import scan_paths, scan_plan

    started = time.monotonic()
    if saved_plan is not None:
        if plan is not None or paths:
            raise click.UsageError("--saved-plan takes the module folder; give no PATH and no --plan")
        plan, paths = _saved_plan_json(saved_plan, modules_dir), (saved_plan,)
    if plan is not None:
        if len(paths) > 1:
            raise click.UsageError("with --plan, give at most one PATH: the plan's module directory")
        click.echo(f"scanning plan {plan} with checkov...", err=True)
        result = scan_plan(plan, module_dir=paths[0] if paths else None, timeout=timeout)
    else:
        if not paths:
            raise click.UsageError("give at least one module directory or .tf file to scan (or --plan FILE)")
        click.echo(f"scanning {len(paths)} path(s) with checkov...", err=True)
        result = scan_paths(paths, timeout=timeout)
    click.echo(f"checkov finished in {time.monotonic() - started:.1f} s", err=True)

    if output is not None:
        _write(output, render_report(result, fmt))
        click.echo(render_report(result, "table", color=True), nl=False)
        click.echo(f"wrote {fmt} report to {output}", err=True)
    else:
        click.echo(render_report(result, fmt, color=True), nl=False)

    if result.failed and not soft_fail:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _saved_plan_json(module: Path, modules_dir: Path) -> Path:
    from ..errors import RunError
    from ..runners.plans import run_paths

    real = run_paths(module, modules_dir).plan_json_file
    emulated = run_paths(module, modules_dir, emulator=True).plan_json_file  # a plan made with --emulator
    plan_json = real if real.is_file() or not emulated.is_file() else emulated
    if not plan_json.is_file():
        raise RunError(f"no saved plan for {module}: run `tfgen plan` first (looked for {plan_json})")
    return plan_json


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"{path}: cannot write report: {exc.strerror or exc}") from None
