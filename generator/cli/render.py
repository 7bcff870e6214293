"""`tfgen render SPEC... [-o DIR] [--target T]... [--env E] [--check] [--diff]`"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, SpecError
from ..targets import registry


@click.command("render")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("-o", "--output", "output", default="modules", show_default=True, type=click.Path(file_okay=False),
              help="Output root; modules go to <root>/<name>/[<env>/]<target>/.")
@click.option("--target", "targets", multiple=True, type=click.Choice(registry.names()),
              help="Only these targets (repeatable). Default: every target in the spec.")
@click.option("--env", "env", default=None, help="Only this environment overlay. Default: the base and every environment.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.option("--prune", is_flag=True,
              help="Also remove module folders tfgen rendered for these specs that they no longer have "
                   "(a target or environment removed): only the files tfgen wrote there.")
@click.option("--force", is_flag=True,
              help="Overwrite (or delete) rendered files even though they were edited by hand since tfgen wrote them.")
def command(specs, output, targets, env, check, show_diff, prune, force) -> None:
    """Render Terraform modules from spec files.

    Everything is validated and rendered in memory first: on any error nothing
    is written, and a module is written whole or not at all. tfgen only
    overwrites or deletes files it wrote itself (listed with their hashes in
    each module's .tfgen-manifest.json): your own *.tf beside them is kept, and
    a rendered file you edited is not overwritten unless --force.

    \b
    Example:
      tfgen render examples/iris-classifier.yaml --target aws-ecs
      tfgen render examples/*.yaml --check     # in CI: fail if modules/ is stale
    """
    from .. import orphans as orphan_modules
    from ..pipeline import load_environments, render_spec
    from ..writer import apply_changes, output_lock, plan_write

    if prune and (check or show_diff):
        raise click.UsageError("--prune writes; it cannot be combined with --check or --diff")
    files, modules, problems = {}, set(), []
    services, every_module = set(), set()  # for orphans: what the specs render to, whatever --target/--env narrow
    for path in specs:
        try:
            models = load_environments(path, env)
            every = models if env is None else load_environments(path)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        services.add(models[0].service)
        every_module |= orphan_modules.every_module(every)
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
    orphaned = orphan_modules.find_orphans(root, services, every_module)
    if check or show_diff:
        plan = plan_write(files, root, modules)
        changes = plan.changes
        if show_diff:
            for change in changes:
                click.echo(change.diff(), nl=False)
        for change in changes:
            edited = f" ({change.conflict})" if change.conflict else ""
            click.echo(f"would {change.kind}: {root / change.path}{edited}", err=True)
        for module in orphaned:
            click.echo(f"orphaned: {root / module} (rendered by tfgen; the spec no longer has it)", err=True)
        if changes or orphaned:
            parts = [f"{len(changes)} file(s) out of date"] + ([f"{len(orphaned)} orphaned module(s)"] if orphaned else [])
            fix = "`tfgen render`" + (" with --prune" if orphaned else "")
            click.echo(f"{', '.join(parts)}; run {fix} to update", err=True)
            raise SystemExit(EXIT_FINDINGS)
        click.echo(f"{len(modules)} module(s) up to date", err=True)
        return
    with output_lock(root):  # one render at a time into a root, from reading to the last rename
        plan = plan_write(files, root, modules)
        changes = plan.changes
        apply_changes(changes, root, force=force)
    done = {"create": "created", "update": "updated", "delete": "deleted"}
    for change in changes:
        forced = f" (discarding: {change.conflict})" if change.conflict else ""
        click.echo(f"{done[change.kind]} {root / change.path}{forced}", err=True)
    for rel in plan.kept:
        click.echo(f"kept {root / rel} (not written by tfgen)", err=True)
    if orphaned and prune:
        deleted, removed = orphan_modules.prune(root, orphaned, force=force)
        for change in deleted:
            click.echo(f"deleted {root / change.path}", err=True)
        for module in orphaned:
            gone = "removed" if module in removed else "pruned (your own files there were kept)"
            click.echo(f"{gone} orphaned module {root / module}", err=True)
    elif orphaned:
        for module in orphaned:
            click.echo(f"orphaned: {root / module} (rendered by tfgen; the spec no longer has it); "
                       "`tfgen render --prune` removes it", err=True)
    click.echo(f"{len(modules)} module(s) rendered, {len(changes)} file(s) changed", err=True)
