"""plan -> apply -> plan (no changes) -> output -> destroy, each a separate tfgen call.

Real terraform (providers from the mirror) against a real moto server.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import stat
from pathlib import Path

import boto3
import pytest

from generator.runners import workflow
from generator.runners.emulator_overrides import DEFAULT_REGION
from generator.runners.plans import run_paths
from tests.support import PLUGIN_MIRROR

FIXTURE = Path(__file__).parent / "fixtures" / "run" / "basic"


def aws(client: str, emulator):
    return boto3.client(
        client,
        endpoint_url=emulator.url,
        region_name=DEFAULT_REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def fresh_module(module_copy) -> tuple[Path, str]:
    prefix = f"tfgen-{secrets.token_hex(3)}"
    return module_copy(FIXTURE, {'default     = "tfgen-run"': f'default     = "{prefix}"'}), prefix


def state_addresses(module: Path) -> list[str]:
    """The resources in the emulator run's state (kept in its own work dir, not in the module folder)."""
    state = json.loads(emulator_state(module).read_text())
    return sorted(f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed")


def emulator_state(module: Path) -> Path:
    return run_paths(module, module.parent, emulator=True).emulator_state_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# The state of a real deployment of the module (local backend); emulator runs must never touch it.
REAL_STATE = (
    '{"version": 4, "terraform_version": "1.11.4", "serial": 7, "lineage": "real-deployment", '
    '"outputs": {}, "resources": [], "check_results": null}\n'
)


@pytest.mark.terraform
@pytest.mark.emulator
def test_lifecycle_against_the_emulator(aws_emulator, module_copy, tfgen_module):
    module, prefix = fresh_module(module_copy)
    (module / "terraform.tfstate").write_text(REAL_STATE)

    planned = tfgen_module("plan", module, "--emulator")
    assert planned.exit_code == 2, planned.stderr
    work = run_paths(module, module.parent, emulator=True)
    assert {p.name: mode(p) for p in (work.plan_file, work.plan_json_file, work.record_file)} == {
        "tfplan": 0o600,
        "tfplan.json": 0o600,
        "record.json": 0o600,
    }  # issue 10 #11: tfplan was 0644
    assert planned.stdout.startswith("Plan: 3 to add, 0 to change, 0 to destroy.\n")
    assert "# aws_kms_key.this will be created" in planned.stdout  # terraform's own diff
    assert "aws_ssm_parameter.autoscaling" not in planned.stdout  # -var enable_autoscaling=false reached terraform
    assert "emulator: leaving out ECS service auto scaling (enable_autoscaling=false)" in planned.stderr
    assert "Traceback" not in planned.stderr

    applied = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout == "Applied: 3 added, 0 changed, 0 destroyed.\n"
    # one progress line per resource as it starts and as it completes
    for address in ("aws_kms_key.this", "aws_cloudwatch_log_group.this", "aws_ssm_parameter.config"):
        assert f"{address}: creating...\n" in applied.stderr
        assert f"{address}: created (" in applied.stderr
    assert state_addresses(module) == ["aws_cloudwatch_log_group.this", "aws_kms_key.this", "aws_ssm_parameter.config"]
    assert mode(emulator_state(module)) == 0o600
    assert (module / "terraform.tfstate").read_text() == REAL_STATE  # the real deployment's state: untouched
    ssm = aws("ssm", aws_emulator)
    assert ssm.get_parameter(Name=f"/{prefix}/config")["Parameter"]["Value"] == "replicas=1"

    again = tfgen_module("plan", module, "--emulator")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == "No changes. The infrastructure matches the configuration.\n"

    outputs = tfgen_module("output", module, "--emulator")
    assert outputs.exit_code == 0, outputs.stderr
    assert json.loads(outputs.stdout) == {"config_parameter": "(sensitive value)", "log_group_name": f"/{prefix}/app"}
    revealed = tfgen_module("output", module, "--emulator", "--show-sensitive")
    assert json.loads(revealed.stdout)["config_parameter"] == "replicas=1"
    real = tfgen_module("output", module)  # the real deployment's outputs: none, it has no resources
    assert (real.exit_code, real.stdout) == (0, "{}\n"), real.stderr

    paths = run_paths(module, module.parent, emulator=True)  # where tfgen_module's --modules-dir puts the work dir
    options = workflow.RunOptions(plugin_mirror=PLUGIN_MIRROR, emulator=True)
    in_state = workflow.state_resources(paths, options, lambda line: None)
    assert in_state == ["aws_cloudwatch_log_group.this", "aws_kms_key.this", "aws_ssm_parameter.config"]

    destroyed = tfgen_module("destroy", module, "--emulator", "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.stderr
    assert destroyed.stdout.startswith("Plan: 0 to add, 0 to change, 3 to destroy.\n")
    assert destroyed.stdout.endswith("Destroyed: 3 resource(s).\n")
    assert state_addresses(module) == []
    assert ssm.get_parameters_by_path(Path=f"/{prefix}", Recursive=True)["Parameters"] == []
    assert aws("logs", aws_emulator).describe_log_groups(logGroupNamePrefix=f"/{prefix}/")["logGroups"] == []
    kms = aws("kms", aws_emulator)
    mine = [
        k
        for k in kms.list_keys()["Keys"]
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["Description"] == f"{prefix} logs"
    ]
    assert [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in mine] == ["PendingDeletion"]

    nothing = tfgen_module("destroy", module, "--emulator", "--auto-approve")
    assert nothing.exit_code == 0, nothing.stderr
    assert nothing.stdout.endswith("Nothing to destroy.\n")
    # the module folder holds only what terraform itself puts there; tfgen's files and the emulator's
    # state are elsewhere, and the real deployment's state was never touched
    assert sorted(p.name for p in module.iterdir()) == [
        ".terraform.lock.hcl",
        "main.tf",
        "outputs.tf",
        "terraform.tfstate",
        "variables.tf",
        "versions.tf",
    ]
    assert (module / "terraform.tfstate").read_text() == REAL_STATE


@pytest.mark.terraform
@pytest.mark.emulator
def test_apply_refusals(aws_emulator, module_copy, tfgen_module, monkeypatch):
    module, prefix = fresh_module(module_copy)
    missing = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert missing.exit_code == 1
    assert missing.stderr == f"no saved plan for {module}: run `tfgen plan` first\n"

    planned = tfgen_module("plan", module, "--emulator", "--summary", "json")
    assert planned.exit_code == 2, planned.stderr

    not_a_tty = tfgen_module("apply", module, "--emulator")
    assert not_a_tty.exit_code == 1
    assert "refusing to apply without confirmation: stdin is not a terminal; pass --auto-approve" in not_a_tty.stderr

    monkeypatch.setattr("generator.cli._run_options.stdin_is_terminal", lambda: True)
    declined = tfgen_module("apply", module, "--emulator", input="n\n")
    assert declined.exit_code == 1
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in declined.stderr  # shown before the question
    assert declined.stderr.rstrip().endswith("apply cancelled: nothing was changed")
    monkeypatch.undo()

    real_cloud = tfgen_module("apply", module, "--auto-approve")
    assert real_cloud.exit_code == 1
    assert real_cloud.stderr == (
        f"no saved plan for {module}: run `tfgen plan` first (there is a plan made "
        "against the emulator: apply it with --emulator)\n"
    )

    main_tf = module / "main.tf"
    original = main_tf.read_text()
    main_tf.write_text(original + "\n# edited after the plan\n")
    (module / "extra.tf").write_text("locals {\n  unused = 1\n}\n")
    (module / "build").mkdir()
    (module / "build" / "function.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # files the module reads count too
    (module / "README.md").write_text("docs do not count\n")
    edited = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert edited.exit_code == 1
    assert edited.stderr == (
        f"refusing to apply: {module} changed since the plan was made:\n"
        "  added: build/function.zip\n  added: extra.tf\n  changed: main.tf\n"
        "run `tfgen plan` again and review the new plan\n"
    )

    main_tf.write_text(original)
    (module / "extra.tf").unlink()
    (module / "build" / "function.zip").unlink()
    vars_file = module / "terraform.auto.tfvars"
    vars_file.write_text('prefix = "other"\n')  # terraform would read it: part of the fingerprint
    tfvars = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert tfvars.exit_code == 1
    assert "  added: terraform.auto.tfvars\n" in tfvars.stderr
    vars_file.unlink()

    # restored exactly: the plan is valid again, and nothing was created by the refusals
    assert aws("ssm", aws_emulator).get_parameters_by_path(Path=f"/{prefix}")["Parameters"] == []
    applied = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    stale = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert stale.exit_code == 1 and "no saved plan" in stale.stderr  # a plan applies once

    # issue 10 #7: the saved plan file is tied to its record. Before, another valid plan put in its
    # place (here a destroy plan) was applied without --allow-destroy, under the old summary.
    main_tf.write_text(original.replace('value = "replicas=1"', 'value = "replicas=2"'))
    assert tfgen_module("plan", module, "--emulator", "--summary", "json").exit_code == 2
    paths = run_paths(module, module.parent, emulator=True)
    workflow.plan_destroy(paths, workflow.RunOptions(plugin_mirror=PLUGIN_MIRROR, emulator=True), lambda line: None)
    paths.plan_file.write_bytes(paths.destroy_plan_file.read_bytes())
    swapped = tfgen_module("apply", module, "--emulator", "--auto-approve", "--allow-destroy")
    assert swapped.exit_code == 1
    assert swapped.stderr == (
        f"refusing to apply: the saved plan file {paths.plan_file} is not the one `tfgen plan` "
        "made (its sha256 differs from the record): run `tfgen plan` again\n"
    )
    # a record rewritten to match changes nothing: the guard and summary come from the file being applied
    record = json.loads(paths.record_file.read_text())
    record["plan_sha256"] = hashlib.sha256(paths.plan_file.read_bytes()).hexdigest()
    paths.record_file.write_text(json.dumps(record))
    guarded = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert guarded.exit_code == 1
    assert guarded.stderr.startswith("refusing to apply: the plan destroys or replaces 3 resource(s):\n")
    for address in ("aws_cloudwatch_log_group.this", "aws_kms_key.this", "aws_ssm_parameter.config"):
        assert f"\n  {address}\n" in guarded.stderr
    assert aws("ssm", aws_emulator).get_parameter(Name=f"/{prefix}/config")["Parameter"]["Value"] == "replicas=1"


@pytest.mark.terraform
@pytest.mark.emulator
def test_destroying_plan_needs_allow_destroy_and_summaries_match_the_plan(aws_emulator, module_copy, tfgen_module):
    module, prefix = fresh_module(module_copy)
    assert tfgen_module("plan", module, "--emulator", "--summary", "json").exit_code == 2
    assert tfgen_module("apply", module, "--emulator", "--auto-approve").exit_code == 0

    # one change of each kind: update (value), replace (name), delete (removed), create (new)
    main_tf = module / "main.tf"
    text = main_tf.read_text()
    text = text.replace('value = "replicas=1"', 'value = "replicas=2"')
    text = text.replace('name              = "/${var.prefix}/app"', 'name              = "/${var.prefix}/app2"')
    text = text.replace("enable_key_rotation     = true", "enable_key_rotation     = false")
    main_tf.write_text(
        text + '\nresource "aws_ssm_parameter" "extra" {\n  name  = "/${var.prefix}/extra"\n'
        '  type  = "String"\n  value = "x"\n}\n'
    )
    (module / "outputs.tf").write_text((module / "outputs.tf").read_text().split('output "config_parameter"')[0])
    text = main_tf.read_text()
    start = text.index('resource "aws_ssm_parameter" "config"')
    main_tf.write_text(text[:start] + text[text.index("}\n", start) + 2 :])

    as_json = tfgen_module("plan", module, "--emulator", "--summary", "json")
    assert as_json.exit_code == 2, as_json.stderr
    summary = json.loads(as_json.stdout)
    plan = json.loads(run_paths(module, module.parent, emulator=True).plan_json_file.read_text())  # show -json
    by_action: dict[str, list[str]] = {}
    for change in plan["resource_changes"]:
        actions = change["change"]["actions"]
        if actions != ["no-op"]:
            key = "replace" if sorted(actions) == ["create", "delete"] else actions[0]
            by_action.setdefault(key, []).append(change["address"])
    assert by_action == {
        "create": ["aws_ssm_parameter.extra"],
        "update": ["aws_kms_key.this"],
        "delete": ["aws_ssm_parameter.config"],
        "replace": ["aws_cloudwatch_log_group.this"],
    }
    assert summary["counts"] == {"add": 2, "change": 1, "destroy": 2}
    assert summary["has_changes"] is True
    assert summary["destroys"] == [
        {"address": "aws_ssm_parameter.config", "action": "delete", "reason": ""},
        {"address": "aws_cloudwatch_log_group.this", "action": "replace", "reason": "name forces replacement"},
    ]
    assert {c["address"]: c["action"] for c in summary["resource_changes"]} == {
        address: action for action, addresses in by_action.items() for address in addresses
    }
    assert summary["output_changes"] == [
        {"name": "config_parameter", "action": "delete"},
        {"name": "log_group_name", "action": "update"},
    ]
    assert "replicas" not in as_json.stdout  # addresses and actions only, no values

    as_markdown = tfgen_module("plan", module, "--emulator", "--summary", "markdown")
    assert as_markdown.exit_code == 2, as_markdown.stderr
    md = as_markdown.stdout
    assert md.startswith(f"### Terraform plan: `{module}`\n\n**Plan: 2 to add, 1 to change, 2 to destroy.**\n")
    assert (
        "> [!CAUTION]\n> **This plan destroys or replaces 2 resources:**\n"
        "> - `aws_ssm_parameter.config` (delete)\n"
        "> - `aws_cloudwatch_log_group.this` (replace: name forces replacement)\n"
    ) in md
    assert "- create `aws_ssm_parameter.extra`\n- update `aws_kms_key.this`\n" in md
    assert "<details><summary>Show the full plan</summary>\n\n```diff\n" in md
    assert md.rstrip().endswith("```\n\n</details>")
    assert '\n-/+ resource "aws_cloudwatch_log_group" "this"' in md  # terraform's diff, markers at column 0
    assert '\n!   resource "aws_kms_key" "this"' in md

    refused = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "refusing to apply: the plan destroys or replaces 2 resource(s):\n"
        "  aws_ssm_parameter.config\n  aws_cloudwatch_log_group.this\n"
        "review them, then run again with --allow-destroy\n"
    )
    assert aws("ssm", aws_emulator).get_parameter(Name=f"/{prefix}/config")["Parameter"]["Value"] == "replicas=1"

    allowed = tfgen_module("apply", module, "--emulator", "--auto-approve", "--allow-destroy")
    assert allowed.exit_code == 0, allowed.stderr
    assert allowed.stdout == "Applied: 2 added, 1 changed, 2 destroyed.\n"
    assert state_addresses(module) == ["aws_cloudwatch_log_group.this", "aws_kms_key.this", "aws_ssm_parameter.extra"]


@pytest.mark.terraform
@pytest.mark.emulator
def test_destroy_refuses_without_a_terminal(aws_emulator, module_copy, tfgen_module):
    module, _ = fresh_module(module_copy)
    result = tfgen_module("destroy", module, "--emulator")
    assert result.exit_code == 1
    assert result.stderr == (
        "refusing to destroy without confirmation: stdin is not a terminal; pass --auto-approve to run unattended\n"
    )
    assert not (module / ".terraform.lock.hcl").exists()  # refused before running terraform
