"""Colour in terminal output (errors, the check table, plan summaries); plain when piped or with NO_COLOR."""

from __future__ import annotations

import re
import subprocess
import sys

import click
from click.testing import CliRunner

from generator import colour
from generator.check import FINDINGS, NOT_RUN, OK, Step, table
from generator.cli import cli
from generator.summary import PlanSummary, ResourceChange, to_text
from tests.support import REPO

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAD_SPEC = "name: Bad_Name\ntargets:\n  aws-ecs: {region: us-east-1}\n"
RED, GREEN, YELLOW, BOLD = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[1m"


def _validate(tmp_path, color: bool, env: dict | None = None):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    return CliRunner().invoke(cli, ["validate", str(spec)], color=color, env=env or {})


def test_errors_are_coloured_on_a_terminal(tmp_path):
    result = _validate(tmp_path, color=True)
    assert result.exit_code == 1
    location = f"{tmp_path / 'bad.yaml'}:1:7:"
    assert result.stderr.startswith(f"{BOLD}{location}\x1b[0m{RED} name: ")
    assert ANSI.sub("", result.stderr).startswith(f"{location} name: ")


def test_no_colour_when_not_a_terminal_or_with_no_color(tmp_path):
    assert "\x1b[" not in _validate(tmp_path, color=False).stderr  # CliRunner's stand-in for a pipe
    assert "\x1b[" not in _validate(tmp_path, color=True, env={"NO_COLOR": "1"}).stderr
    spec = tmp_path / "bad.yaml"
    piped = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(spec)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert piped.returncode == 1 and piped.stderr.startswith(f"{spec}:1:7: name: ") and "\x1b[" not in piped.stderr


def test_force_color_colours_a_pipe_but_no_color_wins(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    forced = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(spec)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "FORCE_COLOR": "1"},
    )
    assert RED in forced.stderr
    both = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(spec)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert "\x1b[" not in both.stderr


def test_check_table_colours_statuses_and_keeps_its_columns():
    steps = [
        Step("validate", OK, 0.01, "1 spec(s)"),
        Step("lint", NOT_RUN, 0.2, "no provider schema"),
        Step("scan", FINDINGS, 3.5, "2 failed"),
    ]
    painted = table(steps, colour.status)
    assert ANSI.sub("", painted) == table(steps)  # same text, same alignment
    rows = painted.splitlines()[2:]
    assert click.style("ok      ", fg="green") in rows[0]  # the padded cell: columns stay aligned
    assert click.style("not run ", fg="yellow", bold=True) in rows[1]
    assert click.style("findings", fg="red", bold=True) in rows[2]


def test_check_cli_colours_the_table_on_a_terminal(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    result = CliRunner().invoke(cli, ["check", str(spec)], color=True)
    assert result.exit_code == 1
    assert click.style("findings", fg="red", bold=True) in result.stdout
    assert "\x1b[" not in CliRunner().invoke(cli, ["check", str(spec)], color=False).stdout


def test_plan_summary_colours_destroys_and_terraform_signs():
    changes = (
        ResourceChange("aws_sqs_queue.old", "aws_sqs_queue", "old", "", "delete", ("delete",)),
        ResourceChange("aws_lambda_function.this", "aws_lambda_function", "this", "", "update", ("update",)),
    )
    diff = (
        '  # aws_sqs_queue.old will be destroyed\n  - resource "aws_sqs_queue" "old" {}\n'
        '  ~ resource "aws_lambda_function" "this" {\n      ~ memory_size = 512 -> 1024\n    }\n'
    )
    text = to_text(PlanSummary("demo", "1.11.4", changes, (), diff))
    painted = colour.plan_text(text)
    assert ANSI.sub("", painted) == text
    lines = painted.splitlines()
    assert lines[0] == click.style("Plan: 0 to add, 1 to change, 1 to destroy.", bold=True)
    assert click.style("WILL BE DESTROYED OR REPLACED (1):", fg="red", bold=True) in lines
    assert "  " + click.style("-", fg="red", bold=True) + ' resource "aws_sqs_queue" "old" {}' in lines
    assert "      " + click.style("~", fg="yellow", bold=True) + " memory_size = 512 -> 1024" in lines
