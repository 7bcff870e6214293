"""`tfgen render SPEC... [-o DIR] [--target T]... [--env E] [--check] [--diff]`"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click

from ..errors import EXIT_FINDINGS, SpecError, UsageError
from ..targets import registry


@click.command("render")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option(
    "-o",
    "--output",
    "output",
    default="modules",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output root; modules go to <root>/<name>/[<env>/]<target>/.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(registry.names()),
    help="Only these targets (repeatable). Default: every target in the spec.",
)
@click.option(
    "--env", "env", default=None, help="Only this environment overlay. Default: the base and every environment."
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove module folders tfgen rendered for these specs that they no longer have "
    "(a target or environment removed): only the files tfgen wrote there.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite (or delete) rendered files even though they were edited by hand since tfgen wrote them.",
)
@click.option(
    "--atlantis",
    "atlantis_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write an Atlantis repo config here (atlantis.yaml at the repository root): one project per "
    "rendered Terraform module of these specs, planned when the module or its spec changes, its "
    "workflow running `tfgen check` on the spec first. With --check: exit 1 if it is out of date.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Render specs in up to this many processes (default: the CPUs tfgen may use that the load average "
    "leaves free). Only many specs are split (at least 32 per process); the result is the same whatever the number.",
)
def command(specs, output, targets, env, check, show_diff, prune, force, atlantis_file, jobs) -> None:
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
      tfgen render examples/*.yaml --atlantis atlantis.yaml
    """
    from .. import orphans as orphan_modules
    from ..render_batch import default_jobs, render_all
    from ..writer import apply_changes, output_lock, plan_write

    if prune and (check or show_diff):
        raise click.UsageError("--prune writes; it cannot be combined with --check or --diff")
    try:
        batch = render_all(list(specs), env, tuple(targets), atlantis_file is not None, jobs or default_jobs())
    except UsageError as exc:  # a --target the one spec lacks: click's usage error (exit 2, with the usage line)
        raise click.UsageError(str(exc)) from None
    files, modules, atlantis_modules = batch.files, batch.modules, batch.atlantis_modules
    if batch.problems:
        raise SpecError(batch.problems)
    root = Path(output)
    orphaned = orphan_modules.find_orphans(root, batch.services, batch.every_module)
    atlantis_text = None
    if atlantis_file is not None:
        from .. import atlantis

        atlantis_text = atlantis.text(atlantis.config(atlantis_modules, root, atlantis_file))
        stale_atlantis = _read_or_none(atlantis_file) != atlantis_text
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
        if atlantis_text is not None and stale_atlantis:
            click.echo(f"would write: {atlantis_file} (the Atlantis config for these modules)", err=True)
            changes = [*changes, atlantis_file]
        if changes or orphaned:
            parts = [f"{len(changes)} file(s) out of date"] + (
                [f"{len(orphaned)} orphaned module(s)"] if orphaned else []
            )
            fix = "`tfgen render`" + (" with --prune" if orphaned else "")
            click.echo(f"{', '.join(parts)}; run {fix} to update", err=True)
            raise SystemExit(EXIT_FINDINGS)
        click.echo(f"{len(modules)} module(s) up to date", err=True)
        return
    if atlantis_text is not None:
        from .. import atlantis

        atlantis.check_writable(atlantis_file)  # before any module is written
    with output_lock(root):  # one render at a time into a root, from reading to the last rename
        plan = plan_write(files, root, modules)
        changes = plan.changes
        apply_changes(changes, root, force=force)
    if atlantis_text is not None:
        from .. import atlantis

        if atlantis.write(atlantis_file, atlantis_text):
            click.echo(f"wrote {atlantis_file} ({len(atlantis_modules)} Atlantis project(s))", err=True)
    done = {"create": "created", "update": "updated", "delete": "deleted"}
    folders: dict[PurePosixPath, str] = {}  # `root / folder`, made once per module folder

    def shown(rel: PurePosixPath) -> str:
        if len(rel.parts) < 2:
            return str(root / rel)
        if rel.parent not in folders:
            folders[rel.parent] = str(root / rel.parent)
        return f"{folders[rel.parent]}/{rel.name}"

    lines = [  # one write for thousands of lines
        f"{done[change.kind]} {shown(change.path)}" + (f" (discarding: {change.conflict})" if change.conflict else "")
        for change in changes
    ] + [f"kept {shown(rel)} (not written by tfgen)" for rel in plan.kept]
    if lines:
        click.echo("\n".join(lines), err=True)
    if orphaned and prune:
        deleted, removed = orphan_modules.prune(root, orphaned, force=force)
        for change in deleted:
            click.echo(f"deleted {root / change.path}", err=True)
        for module in orphaned:
            gone = "removed" if module in removed else "pruned (your own files there were kept)"
            click.echo(f"{gone} orphaned module {root / module}", err=True)
    elif orphaned:
        for module in orphaned:
            click.echo(
                f"orphaned: {root / module} (rendered by tfgen; the spec no longer has it); "
                "`tfgen render --prune` removes it",
                err=True,
            )
    click.echo(f"{len(modules)} module(s) rendered, {len(changes)} file(s) changed", err=True)


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
