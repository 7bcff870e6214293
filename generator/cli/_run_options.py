"""Options shared by plan, apply, destroy and output, and how they pick the module.

A module is named either by a spec and a target (rendered first, writing only
what changed) or directly with --module-dir (a module tfgen did not render,
or one whose spec is not at hand).
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from ..runners.tfconfig import MIRROR_ENV
from ..targets import registry


def module_options(func):
    """SPEC, --target, --env, --modules-dir, --module-dir, --plugin-mirror."""
    decorators = [
        click.argument("spec", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option(
            "--target",
            "target",
            type=click.Choice(registry.names()),  # as render: unknown is exit 2
            help="The spec's target to run.",
        ),
        click.option("--env", "env", metavar="ENV", help="The spec's environment overlay."),
        click.option(
            "--modules-dir",
            "modules_dir",
            default="modules",
            show_default=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Root of rendered modules (<root>/<name>/[<env>/]<target>/).",
        ),
        click.option(
            "--module-dir",
            "module_dir",
            metavar="DIR",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Run this module folder directly, instead of SPEC --target.",
        ),
        click.option(
            "--plugin-mirror",
            "plugin_mirror",
            envvar=MIRROR_ENV,
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            help=f"Install providers only from this filesystem mirror (offline); env {MIRROR_ENV}.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def emulator_option(func):
    """--emulator; refused (exit 2) for a module that uses no AWS provider, before anything runs."""

    @functools.wraps(func)
    def refuse_off_aws(*args, **kwargs):
        if kwargs.get("emulator"):
            refuse_emulator_off_aws(kwargs.get("target"), kwargs.get("module_dir"))
        return func(*args, **kwargs)

    return click.option(
        "--emulator",
        is_flag=True,
        help="Run against the local AWS emulator (`tfgen emulator start`), with test credentials. AWS targets only.",
    )(refuse_off_aws)


def refuse_emulator_off_aws(target: str | None, module_dir: Path | None) -> None:
    """The emulator is moto, AWS only: a Cloud Run or ACI module would run against the real cloud."""
    if target:
        providers = sorted(p.name for p in registry.get(target).providers)
        where = f"target {target}"
    elif module_dir is not None:
        providers, where = _module_providers(module_dir), str(module_dir)
    else:
        return  # resolve_module reports the missing arguments
    if "aws" not in providers:
        uses = f"uses {', '.join(providers)}" if providers else "uses no Terraform provider"
        raise click.UsageError(
            f"--emulator is a local AWS emulator (moto); {where} {uses}, not aws: run it without --emulator"
        )


def _module_providers(module_dir: Path) -> list[str]:
    """Provider local names a module folder uses (required_providers, provider blocks, resource prefixes)."""
    from ..hclread import HclSyntaxError, HclTimeout, parse_file
    from ..lint.checker import provider_ref

    names = set()
    for tf in sorted(Path(module_dir).glob("*.tf")):
        try:
            body = parse_file(tf)
        except (HclSyntaxError, HclTimeout, OSError, UnicodeDecodeError):
            return ["aws"]  # unreadable here: let terraform report it, do not guess
        for block in body.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                names.add(provider_ref(block))
            elif block.type == "provider" and block.labels:
                names.add(block.labels[0])
            elif block.type == "terraform":
                names.update(a.name for r in block.body.blocks_of("required_providers") for a in r.body.attributes)
    return sorted(names - {"terraform"})


def variables_option(func):
    """--var NAME=VALUE, repeatable: module inputs, as `terraform -var` (a module README names the ones to set)."""
    return click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        callback=_parse_variables,
        help="Set a module input variable, as `terraform -var` (e.g. --var deletion_protection=false); "
        "repeatable. The saved plan keeps it: apply needs no --var.",
    )(func)


_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")  # Terraform's identifier rule


def _parse_variables(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not _VARIABLE_NAME.fullmatch(name):  # fullmatch: `$` alone lets a final "\n" through
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE with NAME a Terraform variable name", ctx, param)
        if name in variables and variables[name] != value:
            raise click.BadParameter(f"{name} given twice ({variables[name]!r} and {value!r})", ctx, param)
        variables[name] = value
    return variables


def auto_approve_option(func):
    return click.option(
        "--auto-approve",
        "auto_approve",
        is_flag=True,
        help="Do not ask for confirmation (required when stdin is not a terminal).",
    )(func)


def resolve_module(
    spec: Path | None, target: str | None, env: str | None, modules_dir: Path, module_dir: Path | None
) -> tuple[Path, str]:
    """The module folder to run, rendering it from the spec if one is given; and its label."""
    if module_dir is not None:
        if spec is not None or target or env:
            raise click.UsageError("give either SPEC --target TARGET [--env ENV] or --module-dir DIR, not both")
        return module_dir, str(module_dir)
    if spec is None:
        raise click.UsageError("give a SPEC file and --target TARGET (or --module-dir DIR)")
    if not target:
        raise click.UsageError("--target is required with SPEC")
    from ..pipeline import ensure_module

    folder = ensure_module(spec, target, env, modules_dir)
    try:
        label = folder.resolve().relative_to(modules_dir.resolve()).as_posix()
    except ValueError:
        label = str(folder)
    return folder, label


def stdin_is_terminal() -> bool:
    """Whether a confirmation can be asked (tests replace this)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def echo_progress(line: str) -> None:
    click.echo(line, err=True)


def confirmer(auto_approve: bool, action: str, *, show_summary: bool = False):
    """None for --auto-approve; else a prompt, refused up front when stdin is not a terminal.

    `action` is the verb: "apply", "destroy". `show_summary`: print the
    summary (on stderr) before asking.
    """
    if auto_approve:
        return None
    if not stdin_is_terminal():
        from ..errors import RunError

        raise RunError(
            f"refusing to {action} without confirmation: stdin is not a terminal; pass --auto-approve to run unattended"
        )

    def confirm(summary) -> bool:
        if show_summary:
            from .. import colour
            from ..summary import to_text

            click.echo(colour.plan_text(to_text(summary)), err=True, nl=False)
        what = summary.module or "this module"
        return click.confirm(f"{action.capitalize()} {what}? ({summary.headline})", default=False, err=True)

    return confirm
