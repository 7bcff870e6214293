"""`tfgen scan --plan`: Checkov on a real plan, made offline with the provider mirror.

The fixture module encrypts its queue by default (its source scan passes, see
test_scan.py); planned with -var encrypt=false it must fail CKV_AWS_27, a value
only the plan knows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.runners.checkov import scan_plan
from tests.support import require_terraform, run, terraform_env

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scan"


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """The plan fixture, initialised and planned; holds plan.bin and plan.json."""
    tmp = tmp_path_factory.mktemp("scan-plan")
    module = tmp / "queue"
    shutil.copytree(FIXTURES / "plan", module)
    # fake credentials: planning new resources makes no AWS call with the skip_* settings
    env = dict(terraform_env(tmp), AWS_ACCESS_KEY_ID="fake", AWS_SECRET_ACCESS_KEY="fake", AWS_REGION="us-east-1")
    tf = require_terraform()
    for args in (
        ["init", "-input=false", "-no-color"],
        ["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin", "-var", "encrypt=false"],
    ):
        proc = run([tf, *args], module, env)
        assert proc.returncode == 0, proc.stderr
    show = run([tf, "show", "-json", "plan.bin"], module, env)
    assert show.returncode == 0, show.stderr
    (module / "plan.json").write_text(show.stdout)
    return module


@pytest.mark.terraform
@pytest.mark.checkov
def test_plan_json_is_checked_with_plan_time_values(planned):
    result = scan_plan(planned / "plan.json", root=planned)
    assert result.framework == "terraform_plan"
    [failure] = [f for f in result.failed if f.check_id == "CKV_AWS_27"]
    assert failure.resource == "aws_sqs_queue.events"
    # Checkov maps the plan finding back to the resource's lines in main.tf
    source = (planned / "main.tf").read_text().splitlines()
    assert (failure.file, source[failure.start_line - 1]) == ("main.tf", 'resource "aws_sqs_queue" "events" {')
    assert {f.check_id for f in result.failed} == {"CKV_AWS_27"}


@pytest.mark.terraform
@pytest.mark.checkov
def test_cli_scans_a_binary_plan_through_terraform_show(planned, monkeypatch):
    monkeypatch.chdir(planned)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(planned.parent / "terraform.rc"))
    result = CliRunner().invoke(cli, ["scan", "--plan", "plan.bin", ".", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["framework"] == "terraform_plan"
    assert [(f["check_id"], f["file"]) for f in data["failed"]] == [("CKV_AWS_27", "main.tf")]


def test_json_that_is_not_a_plan_is_bad_input(tmp_path):
    other = tmp_path / "plan.json"
    other.write_text('{"resources": []}')
    result = CliRunner().invoke(cli, ["scan", "--plan", str(other)])
    assert result.exit_code == 1
    assert "not a Terraform plan" in result.stderr
