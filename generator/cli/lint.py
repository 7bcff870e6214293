"""`tfgen lint DIR...`"""

from __future__ import annotations

import json
import sys
import time

import click


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, metavar="DIR...", type=click.Path(exists=True))
@click.option(
    "--provider-schema",
    "schema_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Output of `terraform providers schema -json` (.json or .json.gz). Repeatable; first file wins per provider.",
)
@click.option(
    "--terraform/--no-terraform",
    "use_terraform",
    default=True,
    show_default=True,
    help="For providers no FILE covers, ask `terraform providers schema -json` in initialized modules.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--parse-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,  # hclread.PARSE_TIMEOUT (not imported here: it loads the grammar)
    show_default=True,
    metavar="SECONDS",
    help="How long one file may take to parse; a file that takes longer is an error finding, not a hang.",
)
def command(
    paths: tuple[str, ...], schema_files: tuple[str, ...], use_terraform: bool, output_format: str, parse_timeout: float
) -> None:
    """Check rendered Terraform against real provider schemas, offline.

    Every resource, data source and provider block in every module under DIR
    is checked: unknown types, attributes and blocks, missing required ones,
    computed-only attributes set, block counts and nesting, and literal value
    types. Findings go to stdout as FILE:LINE: ADDRESS: MESSAGE, sorted; the
    summary goes to stderr. Deprecations are warnings and do not fail the run.
    Schemas are cached in $XDG_CACHE_HOME/tfgen (else ~/.cache/tfgen).

    Which schema serves a provider: the --provider-schema files, then
    `terraform providers schema -json` in an initialised module (`terraform
    init`, or tfgen's own init data in .tfgen/), then the schemas bundled with
    tfgen (the provider versions its templates pin, trimmed to the types tfgen
    renders), so modules tfgen rendered lint offline with no option at all.

    Exit 0 when there are no errors, 1 when there are (or a provider has no
    schema), 2 on bad usage.

    \b
    Example:
      tfgen lint modules/
      tfgen lint modules/ --provider-schema aws-schema.json.gz   # from `terraform providers schema -json`
    """
    from ..lint import lint

    started = time.perf_counter()
    report = lint(list(paths), list(schema_files), use_terraform=use_terraform, parse_timeout=parse_timeout)
    if output_format == "json":
        document = {
            "findings": [f.to_dict() for f in report.findings],
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "modules": report.modules,
            "files": report.files,
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        for finding in report.findings:
            click.echo(str(finding))
    click.echo(f"{report.summary()} ({time.perf_counter() - started:.2f}s)", err=True)
    if report.errors:
        sys.exit(1)
