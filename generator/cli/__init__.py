"""The `tfgen` Click group: argument parsing and exit codes, nothing else.

Each command lives in its own module under generator/cli/ and is listed in
COMMANDS. A command's module is imported only when that command runs (or
`--help` lists it): `tfgen render` does not pay for the imports of `tfgen
check` or `tfgen init`. Heavy imports (checkov, terraform runners) also happen
inside commands.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping

import click

from .. import __version__, colour
from ..errors import EXIT_FINDINGS, TfgenError

# command name (its module under generator.cli, `-` as `_`) -> the module's click command is `command`
COMMANDS = [
    "init",
    "validate",
    "schema",
    "render",
    "lint",
    "scan",
    "check",
    "plan",
    "plan-all",
    "apply",
    "destroy",
    "output",
    "emulator",
]


class _LazyCommands(MutableMapping[str, click.Command]):
    """name -> command, importing generator.cli.<name> on first access (click reads `Group.commands`)."""

    def __init__(self, names: list[str]) -> None:
        self._names = list(names)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._names:
                raise KeyError(name)
            self._loaded[name] = importlib.import_module(f"{__name__}.{name.replace('-', '_')}").command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _Group(click.Group):
    """Turns every TfgenError into its message on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        colour.configure(ctx)  # before the command's context is made: it inherits the choice
        try:
            return super().invoke(ctx)
        except TfgenError as exc:
            click.echo(colour.error(str(exc)), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfgen")
def cli() -> None:
    """Turn one YAML spec of an ML model service into policy-clean Terraform.

    \b
    Example:
      tfgen validate examples/*.yaml
      tfgen render examples/iris-classifier.yaml --target aws-ecs
    """


cli.commands = _LazyCommands(COMMANDS)  # every command's module is named as the command (- as _)


def main() -> None:
    cli(prog_name="tfgen")


def fail(message: str, code: int = EXIT_FINDINGS) -> None:
    """Print one message to stderr and exit with `code` (for command modules)."""
    click.echo(message, err=True)
    sys.exit(code)
