"""Every setting a module README tells users to change can be set through tfgen: `--var NAME=VALUE` on plan and destroy."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from generator.errors import RunError
from generator.runners import emulator as emulator_server
from generator.runners import emulator_overrides, workflow
from generator.runners.plans import run_paths
from tests.support import REPO

RENDERED = sorted(p.parent for p in (REPO / "modules").rglob("versions.tf"))


def declared_variables(module: Path) -> set[str]:
    text = "".join(p.read_text() for p in module.glob("*.tf"))
    return set(re.findall(r'^variable "([^"]+)"', text, re.MULTILINE))


def test_every_variable_a_module_readme_names_is_declared_so_var_can_set_it():
    named_somewhere = 0
    for module in RENDERED:
        readme = (module / "README.md").read_text()
        named = set(re.findall(r"-var (\w+)=", readme)) | set(re.findall(r"`var\.(\w+)`", readme))
        named |= set(
            re.findall(r"^\| `(\w+)` \| `", readme.split("## Inputs")[-1].split("## Outputs")[0], re.MULTILINE)
        )
        assert named <= declared_variables(module), module
        for name in re.findall(r"-var (\w+)=", readme):  # every -var the README shows has its tfgen form beside it
            assert f"--var {name}=" in readme, f"{module}/README.md: -var {name} without the tfgen command"
        named_somewhere += len(named)
    assert named_somewhere >= 3  # deletion_protection, notification_channels, action_group_ids at least


@pytest.mark.parametrize("bad", ["novalue", "=x", "1name=x", "a b=c"])
def test_malformed_var_is_a_usage_error(bad, run_cli, tmp_path):
    result = run_cli("plan", "--module-dir", str(tmp_path), "--var", bad)
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.stderr


def test_the_same_var_twice_with_two_values_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("destroy", "--module-dir", str(tmp_path), "--var", "a=1", "--var", "a=2", "--auto-approve")
    assert result.exit_code == 2
    assert "a given twice ('1' and '2')" in result.stderr


def test_a_var_the_emulator_must_switch_off_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    module = tmp_path / "modules" / "m"
    module.mkdir(parents=True)
    running = object()
    monkeypatch.setattr(emulator_server, "require_running", lambda: running)
    monkeypatch.setattr(emulator_overrides, "terraform_env", lambda r: {})
    monkeypatch.setattr(
        emulator_overrides,
        "plan_settings",
        lambda *a: emulator_overrides.EmulatorPlanSettings({"enable_autoscaling": "false"}, (), None),
    )
    options = workflow.RunOptions(emulator=True, variables={"enable_autoscaling": "true", "prefix": "x"})
    with pytest.raises(
        RunError,
        match=r"^--var enable_autoscaling=true: the emulator cannot create what "
        r"enable_autoscaling switches on, so emulator runs set it to false",
    ):
        workflow._session(run_paths(module, tmp_path / "modules", emulator=True), options, print, planning=True)


@pytest.mark.terraform
def test_var_reaches_the_saved_plan_and_apply_uses_it(tfgen_module, tmp_path, monkeypatch):
    """A module like Cloud Run's: deletion_protection defaults to true; --var turns it off for one plan."""
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    module = tmp_path / "modules" / "guarded"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        textwrap.dedent("""\
        variable "deletion_protection" {
          type    = bool
          default = true
        }

        resource "terraform_data" "service" {
          input = var.deletion_protection
        }

        output "deletion_protection" {
          value = terraform_data.service.output
        }
        """)
    )
    plan = tfgen_module("plan", module, "--var", "deletion_protection=false", "--summary", "json")
    assert plan.exit_code == 2, plan.stderr  # changes
    saved = json.loads((tmp_path / "state" / "runs" / "guarded" / "tfplan.json").read_text())
    assert saved["variables"]["deletion_protection"]["value"] == "false"
    applied = tfgen_module("apply", module, "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    outputs = tfgen_module("output", module)
    assert json.loads(outputs.stdout)["deletion_protection"] is False

    # without --var the module's default comes back, and the plan says it would change
    again = tfgen_module("plan", module, "--summary", "json")
    assert again.exit_code == 2 and json.loads(again.stdout)["counts"] == {"add": 0, "change": 1, "destroy": 0}
