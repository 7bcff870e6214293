"""`tfgen schema`"""

from __future__ import annotations

import click


@click.command("schema")
def command() -> None:
    """Print the spec's JSON Schema (Draft 2020-12), for editors' completion.

    \b
    Example:
      tfgen schema > tfgen.schema.json
    """
    from .. import paths

    click.echo(paths.spec_schema_path().read_text(encoding="utf-8"), nl=False)
