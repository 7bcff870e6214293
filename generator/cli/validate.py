"""`tfgen validate SPEC...`"""

from __future__ import annotations

import click

from ..errors import SpecError


@click.command("validate")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("--env", "env", default=None, help="Also require that this environment exists.")
def command(specs: tuple[str, ...], env: str | None) -> None:
    """Check spec files against the schema and each target's limits.

    Every problem is printed as FILE:LINE:COL: field.path: message, all at once,
    sorted by position. Exit 0 when every file is valid, 1 otherwise.

    \b
    Example:
      tfgen validate examples/*.yaml
    """
    from ..pipeline import load_spec

    problems = []
    for path in specs:
        try:
            load_spec(path, env)
            click.echo(f"{path}: ok")
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems)
