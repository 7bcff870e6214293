"""A rendered file Checkov cannot parse fails the scan, never a silent skip; the grammar's
slow paths are bounded in `tfgen scan` and `tfgen lint`; Checkov's environment is scrubbed.
(Issue 10 #4, scanner and lint part; #13.)
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.lint import lint
from generator.report.model import PARSE_ERROR
from generator.runners import checkov
from tests.support import require_terraform

# terraform reads this (a literal "x ${"), Checkov's grammar cannot
UNREADABLE = 'variable "note" {\n  type        = string\n  description = "x $${"\n  default     = "a"\n}\n'
# ... and on this one the grammar backtracks for hours (3 templates: ~1.5 s, 4: > 20 s, 6: hours)
SLOW = (
    'locals {\n  environment = {\n    LOG_LEVEL = "a $${ b"\n  }\n'
    + "".join(f'  s{i} = "arn:${{local.p}}:x:${{local.r}}"\n' for i in range(6))
    + "}\n"
)
QUEUE = 'resource "aws_sqs_queue" "events" {\n  name = "events"\n}\n'


def module_with(tmp_path: Path, name: str, **files: str) -> Path:
    module = tmp_path / name
    module.mkdir()
    for file_name, text in files.items():
        (module / file_name).write_text(text, encoding="utf-8")
    return module


@pytest.mark.checkov
def test_a_file_only_checkovs_grammar_cannot_read_fails_the_scan_and_the_rest_is_scanned(tmp_path):
    module = module_with(tmp_path, "m", **{"main.tf": QUEUE, "variables.tf": UNREADABLE, "locals.tf": SLOW})
    result = checkov.scan_paths([module], root=tmp_path, parse_timeout=2)
    unreadable = {f.file: f for f in result.failed if f.check_id == PARSE_ERROR}
    assert sorted(unreadable) == ["m/locals.tf", "m/variables.tf"]
    assert unreadable["m/variables.tf"].start_line == 3
    assert unreadable["m/variables.tf"].detail.endswith("none of its resources were checked")
    assert "did not finish reading it within 2 s" in unreadable["m/locals.tf"].detail
    assert any(f.resource == "aws_sqs_queue.events" for f in result.failed + result.passed)  # main.tf was scanned
    assert not result.ok


@pytest.mark.checkov
@pytest.mark.terraform
def test_plan_scan_fails_when_checkov_cannot_read_the_modules_files(tmp_path):
    """Checkov reads the module's .tf files for skip comments and lines, and says nothing when it cannot."""
    terraform = require_terraform()
    module = module_with(
        tmp_path,
        "m",
        **{"main.tf": 'resource "terraform_data" "this" {\n  input = var.note\n}\n', "variables.tf": UNREADABLE},
    )
    env = {
        "TF_CLI_CONFIG_FILE": "/dev/null",
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "PATH": str(Path(terraform).parent),
        "HOME": str(tmp_path),
    }
    for args in (["init", "-input=false"], ["plan", "-input=false", "-out=tfplan"]):
        done = subprocess.run(
            [terraform, *args], cwd=module, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr  # terraform reads the file
    plan_json = subprocess.run(
        [terraform, "show", "-json", "tfplan"],
        cwd=module,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    (module / "plan.json").write_text(plan_json)

    result = checkov.scan_plan(module / "plan.json", module_dir=module, root=tmp_path)
    [failure] = [f for f in result.failed if f.check_id == PARSE_ERROR]
    assert (failure.file, failure.start_line) == ("m/variables.tf", 3)
    assert "skip comments and line numbers were not applied" in failure.detail
    assert not result.ok


@pytest.mark.checkov
def test_platform_variables_do_not_reach_checkov(tmp_path, monkeypatch):
    """An invalid BC_API_URL made `tfgen scan` fail with rc 3; no platform setting may reach Checkov."""
    for name, value in {
        "BC_API_URL": "not a url",
        "PRISMA_API_URL": "also not",
        "BC_API_KEY": "k",
        "BC_SOURCE": "x",
        "BC_CA_BUNDLE": "/nonexistent",
        "CKV_SKIP_CHECK": "CKV_AWS_27",
        "CKV_FRAMEWORK": "kubernetes",
        "DOWNLOAD_EXTERNAL_MODULES": "true",
    }.items():
        monkeypatch.setenv(name, value)
    env = checkov._checkov_env()
    assert not [k for k in env if k.startswith(("BC_", "PRISMA_", "CKV_")) and k not in checkov._FORCED_ENV]
    assert "DOWNLOAD_EXTERNAL_MODULES" not in env

    module = module_with(tmp_path, "m", **{"main.tf": QUEUE})
    result = CliRunner().invoke(cli, ["scan", str(module), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr  # findings, not a tool failure (exit 3)
    report = json.loads(result.stdout)
    assert "CKV_AWS_27" in {f["check_id"] for f in report["failed"]}  # CKV_SKIP_CHECK did not skip it


def test_lint_is_time_bounded_with_a_clear_error(tmp_path):
    module = module_with(tmp_path, "m", **{"locals.tf": SLOW, "variables.tf": UNREADABLE})
    report = lint([module], parse_timeout=1, use_terraform=False)
    messages = {Path(f.file).name: f.message for f in report.errors}
    assert messages["locals.tf"].startswith("not linted: the HCL parser did not finish reading this file within 1 s")
    assert messages["variables.tf"].startswith("HCL syntax error")

    result = CliRunner().invoke(cli, ["lint", str(module), "--parse-timeout", "1", "--no-terraform"])
    assert result.exit_code == 1
    assert f"{module / 'locals.tf'}:1: not linted: the HCL parser did not finish" in result.stdout
    assert "Traceback" not in result.stderr
