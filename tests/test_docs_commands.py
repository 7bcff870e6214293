"""The tutorial's and the troubleshooting page's `tfgen` commands exist as written.

The first steps of the tutorial (init, validate, render) really run, in a
scratch folder; every other `tfgen` command line in a ```sh block is parsed by
the real CLI there (command, options, argument types), so a renamed option or
a removed command breaks this test instead of a newcomer's first hour. The
terraform/emulator part of the tutorial is what scripts/demo and the emulator
tests run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from generator.cli import cli
from tests.support import REPO

DOCS = [REPO / "docs" / "tutorial.md", REPO / "docs" / "troubleshooting.md"]
RUN_FOR_REAL = ("init", "validate", "render")


def _commands(doc: Path) -> list[list[str]]:
    """Every `tfgen ...` line of the ```sh blocks, as argument lists (comments dropped)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "tfgen":
                commands.append(words[1:])
    return commands


def _parse(args: list[str]) -> None:
    """Parse like `tfgen ARGS` would, without running the command."""
    if args[0].startswith("-"):  # a group option: --version, --help
        with pytest.raises(click.exceptions.Exit) as done:
            cli.make_context("tfgen", list(args))
        assert done.value.exit_code == 0
        return
    with cli.make_context("tfgen", list(args)) as ctx:
        name, command, rest = cli.resolve_command(ctx, list(args))
        command.make_context(name, rest, parent=ctx).close()


def test_the_tutorial_has_the_steps_it_promises():
    steps = [c[0] for c in _commands(DOCS[0])]
    for step in ("init", "validate", "render", "check", "plan", "apply", "output", "destroy"):
        assert step in steps, step
    assert ["emulator", "start"] in [c[:2] for c in _commands(DOCS[0])]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_runs_or_parses(run_cli, tmp_path, monkeypatch, doc):
    monkeypatch.chdir(tmp_path)
    # the tutorial's own beginning, so later commands find tfgen.yaml and modules/
    for args in _commands(DOCS[0]):
        if args[0] in RUN_FOR_REAL:
            result = run_cli(*args)
            assert result.exit_code == 0, (args, result.stderr)
    assert (tmp_path / "modules" / "hello" / "aws-lambda" / "package.zip").is_file()
    Path("modules/hello/aws-lambda").mkdir(parents=True, exist_ok=True)
    for args in _commands(doc):
        try:
            _parse(args)
        except click.ClickException as exc:
            pytest.fail(f"`tfgen {shlex.join(args)}` in {doc.name}: {exc.format_message()}")
