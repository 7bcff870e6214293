"""`tfgen scan --saved-plan MODULE`: Checkov on the plan `tfgen plan` saved, values known at plan time included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "run" / "basic"


@pytest.mark.terraform
@pytest.mark.checkov
@pytest.mark.emulator
def test_scan_of_the_saved_plan(aws_emulator, module_copy, tfgen_module, run_cli):
    module = module_copy(FIXTURE, {"tfgen-basic": "tfgen-scanplan"})
    planned = tfgen_module("plan", module, "--emulator", "--summary", "json")
    assert planned.exit_code == 2, planned.stderr
    result = run_cli("scan", "--saved-plan", str(module), "--modules-dir", str(module.parent), "--format", "json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    checked = {f["resource"] for f in report["passed"] + report["failed"]}
    # the plan's resources were scanned: the KMS key (rotation) and the log group (KMS, retention)
    assert any(r.startswith("aws_kms_key.") for r in checked), checked
    assert any(r.startswith("aws_cloudwatch_log_group.") for r in checked), checked
    assert result.exit_code == (1 if report["failed"] else 0)


def test_scan_without_a_saved_plan_is_refused(run_cli, tmp_path):
    module = tmp_path / "modules" / "never-planned"
    module.mkdir(parents=True)
    result = run_cli("scan", "--saved-plan", str(module), "--modules-dir", str(tmp_path / "modules"))
    assert result.exit_code == 1
    assert "no saved plan for" in result.stderr and "run `tfgen plan` first" in result.stderr
