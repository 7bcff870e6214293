"""The CLI's surface: version, help with examples, docs generated from the schema, installed package data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.cli import cli
from tests.support import EXAMPLES, REPO


def test_version(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tfgen, version {__version__}"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(run_cli, name):
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"tfgen {name}" in result.stdout


def test_usage_error_exit_code_is_2(run_cli):
    result = run_cli("render")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_spec_reference_is_generated_from_the_schema(run_cli):
    result = run_cli("schema", "--format", "markdown")
    assert result.exit_code == 0
    assert (REPO / "docs" / "spec-reference.md").read_text() == result.stdout, (
        "docs/spec-reference.md is stale: run `tfgen schema --format markdown > docs/spec-reference.md`"
    )


def test_installed_tfgen_renders_from_any_directory(tmp_path):
    """The console script in this environment finds its templates and schema as package data."""
    exe = Path(sys.executable).with_name("tfgen")
    if not exe.exists():
        pytest.fail(f"no installed tfgen next to {sys.executable}: install with `pip install .` (scripts/test does)")
    proc = subprocess.run(
        [str(exe), "render", str(EXAMPLES / "iris-classifier.yaml"), "-o", "out", "--target", "aws-ecs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "iris-classifier" / "aws-ecs" / "versions.tf").is_file()
    probe = subprocess.run(
        [str(exe.with_name("python")), "-c", "import generator, sys; print(generator.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "site-packages" in probe.stdout, "tfgen should run from the installed package, not the source tree"
