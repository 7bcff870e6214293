"""`tfgen plan-all SPEC... [--env E] [--target T]... [--jobs N] [--emulator]`: many plans, one summary."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, TfgenError
from ..runners.tfconfig import MIRROR_ENV
from ..targets import registry
from .plan import EXIT_CHANGES


@dataclass
class Planned:
    label: str  # <name>/[<env>/]<target>
    add: int = 0
    change: int = 0
    destroy: int = 0
    destroys: tuple[str, ...] = ()  # addresses deleted or replaced
    error: str = ""
    skipped: str = ""


@click.command("plan-all")
@click.argument(
    "specs", nargs=-1, required=True, metavar="SPEC...", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(registry.names()),
    help="Only these targets (repeatable). Default: every Terraform target of each spec.",
)
@click.option(
    "--env", "env", default=None, help="Only this environment overlay. Default: the base and every environment."
)
@click.option(
    "--modules-dir",
    "modules_dir",
    default="modules",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Root of rendered modules (<root>/<name>/[<env>/]<target>/).",
)
@click.option(
    "--plugin-mirror",
    "plugin_mirror",
    envvar=MIRROR_ENV,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Install providers only from this filesystem mirror (offline); env {MIRROR_ENV}.",
)
@click.option(
    "--emulator", is_flag=True, help="Plan the AWS modules against the local AWS emulator; the others are skipped."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Plans at once. Default: the CPU count, lowered so that each plan's provider (~700 MB) fits in memory.",
)
def command(specs, targets, env, modules_dir, plugin_mirror, emulator, jobs) -> None:
    """Plan every Terraform module of many specs (targets x environments) side by side; one summary.

    Each module is rendered (writing only what changed) and planned as `tfgen
    plan` would, its plan saved for `tfgen apply`; at most --jobs plans run at
    once, and their progress lines on stderr are prefixed with the module.
    The summary (stdout) lists every module with what it adds, changes and
    destroys, then every resource that will be destroyed or replaced.
    Kubernetes manifests are not Terraform: plan them with `tfgen plan --target kubernetes`.

    Exit 0: no changes anywhere; 2: changes; 1: a module failed to plan.

    \b
    Example:
      tfgen plan-all examples/*.yaml --emulator --jobs 2
      tfgen plan-all services/*.tfgen.yaml --env prod --plugin-mirror /opt/tf-plugins
    """
    from ..gaterun import default_jobs
    from ..pipeline import ensure_module, load_environments
    from ..render import module_path
    from ..runners.plans import run_paths
    from ..runners.workflow import RunOptions, plan

    modules: list[tuple[Planned, Path | None]] = []
    for spec_path in specs:
        for spec in load_environments(spec_path, env):
            for name in spec.targets:
                if targets and name not in targets:
                    continue
                target = registry.get(name)
                label = module_path(spec, name).as_posix()
                if target.output.name != "terraform":
                    modules.append(
                        (Planned(label, skipped=f"{target.output.name}: `tfgen plan --target {name}`"), None)
                    )
                elif emulator and "aws" not in {p.name for p in target.providers}:
                    modules.append((Planned(label, skipped="not AWS: the emulator is AWS only"), None))
                else:  # rendered here, one after another: plans run in parallel, writes do not
                    modules.append((Planned(label), ensure_module(spec_path, name, spec.env, modules_dir)))
    lock = threading.Lock()

    def one(item: tuple[Planned, Path | None]) -> Planned:
        planned, folder = item
        if folder is None:
            return planned

        def echo(line: str) -> None:
            with lock:
                click.echo(f"[{planned.label}] {line}", err=True)

        try:
            result = plan(
                run_paths(folder, modules_dir, emulator=emulator),
                RunOptions(plugin_mirror=plugin_mirror, emulator=emulator, label=planned.label),
                echo,
                diff=False,
            )
        except TfgenError as exc:
            planned.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return planned
        summary = result.summary
        planned.add, planned.change, planned.destroy = summary.add, summary.change, summary.destroy
        planned.destroys = tuple(c.address for c in summary.destroys)
        return planned

    with ThreadPoolExecutor(max_workers=jobs or default_jobs(), thread_name_prefix="tfgen-plan") as pool:
        results = list(pool.map(one, modules))
    click.echo(summary_text(results), nl=False)
    if any(r.error for r in results):
        raise SystemExit(EXIT_FINDINGS)
    raise SystemExit(EXIT_CHANGES if any(r.add or r.change or r.destroy for r in results) else 0)


def summary_text(results: list[Planned]) -> str:
    """One row per module, then every destroy; the last line counts them."""
    rows = [("module", "add", "change", "destroy", "note")]
    for r in results:
        note = f"FAILED: {r.error}" if r.error else (f"skipped ({r.skipped})" if r.skipped else "")
        counts = ("-", "-", "-") if r.error or r.skipped else (str(r.add), str(r.change), str(r.destroy))
        rows.append((r.label, *counts, note))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  {row[4]}".rstrip()
        for row in rows
    ]
    destroys = [(r.label, address) for r in results for address in r.destroys]
    if destroys:
        lines += ["", f"WILL BE DESTROYED OR REPLACED ({len(destroys)}):"] + [
            f"  {label}: {a}" for label, a in destroys
        ]
    planned = [r for r in results if not r.error and not r.skipped]
    changed = sum(1 for r in planned if r.add or r.change or r.destroy)
    failed = sum(1 for r in results if r.error)
    skipped = sum(1 for r in results if r.skipped)
    lines += [
        "",
        f"plan-all: {len(planned)} module(s) planned, {changed} with changes, "
        f"{sum(r.destroy for r in planned)} destroy(s); {failed} failed; {skipped} skipped",
    ]
    return "\n".join(lines) + "\n"
