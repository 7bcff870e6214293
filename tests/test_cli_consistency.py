"""The same mistake gets the same exit code and words in every command (issue 11 #11)."""

from __future__ import annotations

import re

import pytest

from generator.errors import ToolError
from generator.runners import tfprocess
from tests.support import EXAMPLES, REPO

IRIS = str(EXAMPLES / "iris-classifier.yaml")  # targets: aws-ecs, gcp-cloud-run
RUN_COMMANDS = [["plan"], ["apply", "--auto-approve"], ["destroy", "--auto-approve"], ["output"]]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))  # no emulator of the user's is found
    monkeypatch.chdir(tmp_path)  # modules/ and .tfgen/ land here, never in the repository


@pytest.mark.parametrize("command", [["render"], *RUN_COMMANDS], ids=lambda c: c[0])
def test_an_unknown_target_is_a_usage_error_everywhere(command, run_cli):
    result = run_cli(*command, IRIS, "--target", "nope")
    assert result.exit_code == 2
    assert "Invalid value for '--target': 'nope' is not one of 'aws-ecs', 'aws-lambda'" in result.stderr


@pytest.mark.parametrize("command", [["render"], *RUN_COMMANDS], ids=lambda c: c[0])
def test_a_target_the_spec_lacks_is_a_usage_error_with_the_same_words(command, run_cli):
    result = run_cli(*command, IRIS, "--target", "aws-lambda")
    assert result.exit_code == 2
    assert f"{IRIS} has no target aws-lambda; it has: aws-ecs, gcp-cloud-run" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [c for c in RUN_COMMANDS if c[0] != "output"], ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("spec", "target", "provider"),
    [("iris-classifier", "gcp-cloud-run", "google"), ("resnet-aci", "azure-aci", "azurerm")],
)
def test_emulator_is_refused_for_targets_that_are_not_aws(command, spec, target, provider, run_cli, tmp_path):
    result = run_cli(*command, str(EXAMPLES / f"{spec}.yaml"), "--target", target, "--emulator")
    assert result.exit_code == 2
    assert (
        f"--emulator is a local AWS emulator (moto); target {target} uses {provider}, not aws: "
        "run it without --emulator"
    ) in result.stderr
    assert not (tmp_path / "modules").exists()  # refused before anything was rendered or run


def test_emulator_is_refused_for_a_module_folder_without_aws(run_cli):
    module = REPO / "modules" / "iris-classifier" / "gcp-cloud-run"
    result = run_cli("plan", "--module-dir", str(module), "--emulator")
    assert result.exit_code == 2
    assert f"{module} uses google, not aws" in result.stderr


def test_emulator_not_running_is_a_tool_failure_exit_3(run_cli):
    # an AWS module passes the provider check; with no emulator recorded the run stops before terraform
    result = run_cli("plan", "--module-dir", str(REPO / "modules" / "iris-classifier" / "aws-ecs"), "--emulator")
    assert result.exit_code == 3
    assert result.stderr == "the AWS emulator is not running: start it with `tfgen emulator start`\n"


def test_the_terraform_install_hint_names_the_version_the_modules_require(monkeypatch, tmp_path):
    required = re.search(r'required_version = ">= (\d+\.\d+)', (REPO / "templates/_shared/versions.tf.j2").read_text())
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolError) as exc:
        tfprocess.find_terraform()
    assert f"install Terraform {required.group(1)} or newer" in str(exc.value)
    assert exc.value.exit_code == 3
