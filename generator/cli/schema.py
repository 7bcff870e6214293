"""`tfgen schema`"""

from __future__ import annotations

import click


@click.command("schema")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json", show_default=True,
              help="json: the JSON Schema itself; markdown: the field reference page.")
def command(fmt: str) -> None:
    """Print the spec's JSON Schema (Draft 2020-12), for editors' completion.

    \b
    Example:
      tfgen schema > tfgen.schema.json
      tfgen schema --format markdown > docs/spec-reference.md
    """
    from .. import paths

    text = paths.spec_schema_path().read_text(encoding="utf-8")
    if fmt == "markdown":
        import json

        from ..schema_docs import reference

        text = reference(json.loads(text))
    click.echo(text, nl=False)
