"""Shared fixtures. Keep each area's fixtures in its own test module unless shared."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli


@pytest.fixture
def run_cli():
    """Invoke tfgen in-process; returns click's Result (stdout and stderr separate)."""

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a YAML spec (dedented) into tmp_path and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
