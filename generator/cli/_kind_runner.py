"""plan/apply for output kinds that bring their own runner (`OutputKind.runner`, e.g. kubectl).

Terraform modules keep the saved-plan workflow (runners/workflow.py); a kind
with a runner is planned and applied by it. plan.py and apply.py ask here
first and know no kind by name.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from ..errors import RunError
from ._run_options import confirmer, echo_progress, resolve_module

EXIT_CHANGES = 2


def kind_runner(target: str | None) -> Any:
    """The runner of `target`'s output kind, or None (Terraform, or no target given).
    (--emulator with a target that has no aws provider is refused before, by _run_options.)"""
    if not target:
        return None
    from ..targets import registry

    if target not in registry.names():
        return None
    return registry.get(target).output.runner


def plan(runner: Any, spec: Path | None, target: str | None, env: str | None, modules_dir: Path) -> None:
    folder, _ = resolve_module(spec, target, env, modules_dir, None)
    result = runner.plan(folder, env, echo_progress)
    click.echo(result.text, nl=False)
    echo_progress(
        "changes found; `tfgen apply` with the same arguments applies them" if result.has_changes else "no changes"
    )
    raise SystemExit(EXIT_CHANGES if result.has_changes else 0)


def apply(
    runner: Any, spec: Path | None, target: str | None, env: str | None, modules_dir: Path, auto_approve: bool
) -> None:
    folder, label = resolve_module(spec, target, env, modules_dir, None)
    ask = confirmer(auto_approve, "apply")

    def confirm(context: str, diff_text: str) -> bool:
        click.echo(diff_text, err=True, nl=False)
        return ask(SimpleNamespace(module=label, headline=f"kubectl context `{context}`"))

    output = runner.apply(folder, env, echo_progress, None if ask is None else confirm)
    if output is None:
        raise RunError("apply cancelled: nothing applied")
    click.echo(output or "No changes: nothing applied.", nl=not output.endswith("\n") if output else True)
