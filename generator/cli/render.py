"""`tfgen render SPEC... [-o DIR] [--target T]... [--env E] [--check] [--diff]`"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, SpecError
from ..model import TARGET_NAMES


@click.command("render")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("-o", "--output", "output", default="modules", show_default=True, type=click.Path(file_okay=False),
              help="Output root; modules go to <root>/<name>/[<env>/]<target>/.")
@click.option("--target", "targets", multiple=True, type=click.Choice(TARGET_NAMES),
              help="Only these targets (repeatable). Default: every target in the spec.")
@click.option("--env", "env", default=None, help="Only this environment overlay. Default: the base and every environment.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
def command(specs, output, targets, env, check, show_diff) -> None:
    """Render Terraform modules from spec files.

    Everything is validated and rendered in memory first: on any error nothing
    is written. Unchanged files are left alone; stale files from an earlier
    render of the same module are removed.

    \b
    Example:
      tfgen render examples/iris-classifier.yaml --target aws-ecs
      tfgen render examples/*.yaml --check     # in CI: fail if modules/ is stale
    """
    from ..pipeline import load_environments, render_spec
    from ..writer import apply_changes, plan_changes

    files, modules, problems = {}, set(), []
    for path in specs:
        try:
            models = load_environments(path, env)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        missing = [t for t in targets if t not in models[0].targets]
        if missing and len(specs) == 1:
            raise click.UsageError(f"{path} has no target {', '.join(missing)}; it has: {', '.join(models[0].targets)}")
        for spec in models:
            rendered, folders = render_spec(spec, list(targets) or None)
            files.update(rendered)
            modules |= folders
    if problems:
        raise SpecError(problems)
    root = Path(output)
    changes = plan_changes(files, root, modules)
    if show_diff:
        for change in changes:
            click.echo(change.diff(), nl=False)
    if check or show_diff:
        for change in changes:
            click.echo(f"would {change.kind}: {root / change.path}", err=True)
        if changes:
            click.echo(f"{len(changes)} file(s) out of date; run `tfgen render` to update", err=True)
            raise SystemExit(EXIT_FINDINGS)
        click.echo(f"{len(modules)} module(s) up to date", err=True)
        return
    apply_changes(changes, root)
    done = {"create": "created", "update": "updated", "delete": "deleted"}
    for change in changes:
        click.echo(f"{done[change.kind]} {root / change.path}", err=True)
    click.echo(f"{len(modules)} module(s) rendered, {len(changes)} file(s) changed", err=True)
