"""The `tfgen` Click group: argument parsing and exit codes, nothing else.

Each command lives in its own module under generator/cli/ and is listed in
COMMANDS; heavy imports (checkov, terraform runners) happen inside commands so
`tfgen --help` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__, colour
from ..errors import EXIT_FINDINGS, TfgenError

# module name under generator.cli -> its click command is `command`
COMMANDS = [
    "init",
    "validate",
    "schema",
    "render",
    "lint",
    "scan",
    "check",
    "plan",
    "apply",
    "destroy",
    "output",
    "emulator",
]


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


for _name in COMMANDS:
    cli.add_command(importlib.import_module(f"{__name__}.{_name}").command)


def main() -> None:
    cli(prog_name="tfgen")


def fail(message: str, code: int = EXIT_FINDINGS) -> None:
    """Print one message to stderr and exit with `code` (for command modules)."""
    click.echo(message, err=True)
    sys.exit(code)
