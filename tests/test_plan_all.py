"""`tfgen plan-all SPEC...`: every Terraform module of many specs planned in bounded parallel,
one summary (generator/cli/plan_all.py). terraform is replaced by a stand-in `plan` here; the
one-module plan it calls is tested with real terraform in the plan/apply tests."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.runners import workflow
from generator.summary import PlanSummary, ResourceChange
from tests.support import EXAMPLES

SPECS = [str(EXAMPLES / "iris-classifier.yaml"), str(EXAMPLES / "sentiment-lambda.yaml")]


def change(address: str, action: str) -> ResourceChange:
    return ResourceChange(address, address.split(".")[0], address.split(".")[1], "", action, (action,))


@pytest.fixture
def fake_plan(monkeypatch):
    state = {"running": 0, "most": 0, "labels": []}
    lock = threading.Lock()

    def plan(paths, options, echo, *, diff=True):
        with lock:
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
            state["labels"].append(options.label)
        echo("planning")
        time.sleep(0.05)
        with lock:
            state["running"] -= 1
        if options.label.endswith("gcp-cloud-run"):
            raise workflow.RunError("terraform init failed: provider google not available")
        changes = (
            (change("aws_ecs_service.this", "replace"), change("aws_iam_role.task", "create"))
            if options.label == "iris-classifier/prod/aws-ecs"
            else ()
        )
        return workflow.PlanResult(PlanSummary(options.label, "1.11.4", changes, ()), bool(changes))

    monkeypatch.setattr(workflow, "plan", plan)
    return state


def test_every_module_planned_within_jobs_and_one_summary(fake_plan, tmp_path):
    result = CliRunner().invoke(cli, ["plan-all", *SPECS, "--modules-dir", str(tmp_path / "modules"), "--jobs", "2"])
    assert result.exit_code == 1, result.output  # one module failed to plan
    assert fake_plan["most"] == 2  # side by side, never more than --jobs
    assert sorted(fake_plan["labels"]) == [
        "iris-classifier/aws-ecs",
        "iris-classifier/gcp-cloud-run",
        "iris-classifier/prod/aws-ecs",
        "iris-classifier/prod/gcp-cloud-run",
        "sentiment-lambda/aws-lambda",
    ]
    out = result.stdout
    assert "iris-classifier/prod/aws-ecs" in out and "WILL BE DESTROYED OR REPLACED (1):" in out
    assert "  iris-classifier/prod/aws-ecs: aws_ecs_service.this" in out
    assert "FAILED: terraform init failed: provider google not available" in out
    assert out.splitlines()[-1] == "plan-all: 3 module(s) planned, 1 with changes, 1 destroy(s); 2 failed; 0 skipped"
    assert "[sentiment-lambda/aws-lambda] planning" in result.stderr  # progress names its module
    assert (tmp_path / "modules" / "iris-classifier" / "prod" / "aws-ecs" / "main.tf").is_file()  # rendered first


def test_emulator_plans_only_aws_modules_and_changes_exit_2(fake_plan, tmp_path):
    result = CliRunner().invoke(cli, ["plan-all", *SPECS, "--modules-dir", str(tmp_path / "modules"), "--emulator"])
    assert result.exit_code == 2, result.output
    assert "skipped (not AWS: the emulator is AWS only)" in result.stdout
    assert not any(label.endswith("gcp-cloud-run") for label in fake_plan["labels"])
    assert (
        result.stdout.splitlines()[-1]
        == "plan-all: 3 module(s) planned, 1 with changes, 1 destroy(s); 0 failed; 2 skipped"
    )


def test_no_changes_anywhere_is_exit_0(fake_plan, tmp_path):
    result = CliRunner().invoke(cli, ["plan-all", SPECS[1], "--modules-dir", str(tmp_path / "modules")])
    assert result.exit_code == 0, result.output
    assert "sentiment-lambda/aws-lambda    0       0        0" in result.stdout
