"""`tfgen check SPEC...`"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("check")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...", type=click.Path(path_type=Path))
@click.option("--env", default=None, help="Only this environment overlay. Default: the base and every environment.")
@click.option(
    "--modules-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Compare against committed modules here (like `render --check`); default: render to a temporary folder.",
)
@click.option(
    "--provider-schema",
    "provider_schemas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Provider schema JSON (.json or .json.gz, from `terraform providers schema -json`) for lint; repeatable.",
)
@click.option(
    "--plugin-mirror",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TFGEN_PLUGIN_MIRROR",
    help="Terraform filesystem mirror for offline `terraform init` (env TFGEN_PLUGIN_MIRROR).",
)
@click.option(
    "--skip-validate-provider",
    "skip_validate_providers",
    multiple=True,
    metavar="NAME",
    help="Skip terraform validate for modules that cannot run it only because provider NAME (e.g. google) "
    "cannot be installed here; repeatable. Every other module, and every other step, still must pass.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Run at most this many heavy steps at once (terraform validate of a module, a Checkov run). "
    "Default: the CPU count, lowered so that each job's ~700 MB fits in the memory available.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run every step on every module. By default a step's pass on a module is remembered "
    "(keyed on the module's files and the tools' versions) and not run again, and so is the render "
    "(keyed on the specs, tfgen and, with --modules-dir, every module file); failures are never remembered.",
)
def command(specs, env, modules_dir, provider_schemas, plugin_mirror, skip_validate_providers, jobs, no_cache) -> None:
    """Run every gate: validate, render, fmt, lint, terraform validate, scan.

    Prints one summary table (step, status, time) and a summary line. Exit 0
    only when every step ran on every module and found nothing; 1 when a step
    found something; 3 when a tool failed or a step could not run on some
    module (e.g. terraform validate where a provider cannot be installed, lint
    with no schema for a provider), with the reason and what to do. The only
    way past a step that cannot run is an explicit skip, which the summary
    line repeats: --skip-validate-provider google skips terraform validate
    for exactly the modules whose only uninstallable provider is google.

    The steps after render run side by side (--jobs), and a step that passed
    on a module with the same files and the same tools is not run again: the
    table says how many modules were cached. The render is remembered too
    (same specs, same tfgen and, with --modules-dir, the same module files),
    and so is terraform validate's "provider not installable here" while
    providers come from the plugin mirror alone (same mirror contents).
    The cache is in $TFGEN_CACHE_DIR (default ~/.cache/tfgen/check);
    --no-cache ignores it.

    \b
    Example:
      tfgen check examples/*.yaml --modules-dir modules --plugin-mirror /opt/tf-plugins
      tfgen check examples/*.yaml --plugin-mirror /opt/tf-plugins \\
          --skip-validate-provider google --skip-validate-provider azurerm
    """
    from .. import colour
    from ..check import CheckOptions, exit_code, run_check, summary, table
    from ..gaterun import default_jobs

    def progress(line: str) -> None:  # "<step>: <status>"
        name, _, status = line.rpartition(": ")
        click.echo(f"{name}: {colour.status(status, status)}" if name else line, err=True)

    options = CheckOptions(
        list(specs),
        env,
        modules_dir,
        list(provider_schemas),
        plugin_mirror,
        skip_validate_providers=frozenset(skip_validate_providers),
        jobs=jobs or default_jobs(),
        cache=not no_cache,
    )
    steps = run_check(options, progress)
    for step in steps:
        for message in step.messages:
            click.echo(f"{colour.status(step.name, step.status)}: {message}")
    click.echo(table(steps, colour.status))
    code = exit_code(steps)
    click.echo(colour.status(summary(steps), "ok" if code == 0 else "findings"))
    raise SystemExit(code)
