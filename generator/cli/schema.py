"""`tfgen schema`"""

from __future__ import annotations

import click


@click.command("schema")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="json: the JSON Schema itself; markdown: the field reference page.",
)
def command(fmt: str) -> None:
    """Print the spec's JSON Schema (Draft 2020-12), for editors' completion.

    \b
    Example:
      tfgen schema > tfgen.schema.json
      tfgen schema --format markdown > docs/spec-reference.md
    """
    from ..spec_schema import schema_text, spec_schema

    text = schema_text()
    if fmt == "markdown":
        from ..schema_docs import reference

        text = reference(spec_schema())
    click.echo(text, nl=False)
