"""The exact terraform command lines and environment tfgen uses (python-terraform builds them).

A recording stand-in for terraform shows what each runner method starts; the
real terraform runs in test_run_lifecycle.py and friends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from generator.errors import RunError
from generator.runners.plans import run_paths
from generator.runners.terraform import Terraform
from generator.runners.tfevents import UiStream

RECORDER = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(),
                          "env": {{k: v for k, v in os.environ.items() if k.startswith(("TF_", "AWS_"))}}}}) + "\\n")
command = sys.argv[1]
if command == "version":
    print(json.dumps({{"terraform_version": "1.11.4"}}))
elif command == "show" and "-json" in sys.argv:
    print("{{}}")
elif command == "output":
    print(json.dumps({{"url": {{"value": "http://x", "type": "string", "sensitive": False}}}}))
elif command == "plan":
    print(json.dumps({{"type": "diagnostic", "diagnostic": {{"severity": "error", "summary": "boom"}}}}))
    sys.exit(1 if os.path.exists({log!r} + ".fail") else 2)
"""


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    fake.write_text(RECORDER.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    module = tmp_path / "modules" / "m"
    module.mkdir(parents=True)
    (module / "main.tf").write_text("")
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TF_CLI_ARGS_plan", "-destroy")
    paths = run_paths(module, module.parent)
    echoed: list[str] = []
    tf = Terraform(
        paths,
        tmp_path / "rc.json",
        env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_PROFILE": None},
        echo=echoed.append,
        binary=str(fake),
    )

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()]

    return tf, paths, calls, echoed


def test_each_command_line_is_exactly_what_tfgen_asks_for(recorded, monkeypatch):
    tf, paths, calls, echoed = recorded
    monkeypatch.setenv("AWS_PROFILE", "real-account")
    tf.init()
    assert tf.plan(paths.plan_file, {"enable_autoscaling": "false"}) is True
    tf.plan(paths.work_dir / "destroy.tfplan", {}, destroy=True)
    tf.apply(paths.plan_file)
    tf.show_json(paths.plan_file)
    tf.show_text(paths.plan_file)
    assert tf.outputs() == {"url": {"value": "http://x", "type": "string", "sensitive": False}}

    argvs = [c["argv"] for c in calls()]
    assert argvs == [
        ["version", "-json"],
        ["init", "-input=false", "-json"],
        [
            "plan",
            "-input=false",
            "-json",
            "-detailed-exitcode",
            f"-out={paths.plan_file}",
            "-var=enable_autoscaling=false",
        ],
        [
            "plan",
            "-input=false",
            "-json",
            "-detailed-exitcode",
            f"-out={paths.work_dir / 'destroy.tfplan'}",
            "-destroy",
        ],
        ["apply", "-input=false", "-json", str(paths.plan_file)],
        ["show", "-json", str(paths.plan_file)],
        ["show", "-no-color", str(paths.plan_file)],
        ["output", "-json"],
    ]
    flat = [arg for argv in argvs for arg in argv]
    assert not [a for a in flat if a.startswith(("-force", "-var-file", "-auto-approve", "-state"))]
    for call in calls():
        assert call["cwd"] == str(paths.module_dir)  # terraform 1.x: the module is the working directory
        assert call["env"]["TF_DATA_DIR"] == str(paths.data_dir)
        assert call["env"]["TF_CLI_CONFIG_FILE"].endswith("/rc.json")
        assert call["env"]["TF_IN_AUTOMATION"] == "1"
        assert call["env"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
        assert "AWS_PROFILE" not in call["env"]  # removed for terraform only
        assert not [k for k in call["env"] if k.startswith("TF_CLI_ARGS")]
    assert "ignoring TF_CLI_ARGS_plan: tfgen passes terraform's arguments itself" in echoed


def test_a_failed_command_raises_one_message_from_terraforms_diagnostics(recorded, tmp_path):
    tf, paths, calls, echoed = recorded
    (tmp_path / "calls.jsonl.fail").touch()
    with pytest.raises(RunError) as raised:
        tf.plan(paths.plan_file, {})
    assert str(raised.value) == "terraform plan failed:\nError: boom"
    assert not [line for line in echoed if "boom" in line]  # errors are said once, in the message


def test_progress_lines_from_terraforms_json_ui():
    echoed: list[str] = []
    ui = UiStream(echoed.append)
    hook = {"resource": {"addr": "aws_ecs_cluster.this"}, "action": "create"}
    for event in [
        {"type": "version", "@message": "Terraform 1.11.4"},
        {"type": "apply_start", "hook": hook},
        {"type": "apply_progress", "hook": {**hook, "elapsed_seconds": 10}},
        {"type": "apply_complete", "hook": {**hook, "elapsed_seconds": 12}},
        {"type": "apply_start", "hook": {"resource": {"addr": "aws_kms_key.this"}, "action": "delete"}},
        {
            "type": "apply_errored",
            "hook": {"resource": {"addr": "aws_kms_key.this"}, "action": "delete", "elapsed_seconds": 1},
        },
        {"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "Deprecated", "detail": "use x"}},
        {
            "type": "diagnostic",
            "diagnostic": {
                "severity": "error",
                "summary": "denied",
                "range": {"filename": "main.tf", "start": {"line": 3}},
                "address": "aws_kms_key.this",
            },
        },
        {
            "type": "change_summary",
            "@message": "Apply complete! Resources: 1 added, 0 changed, 1 destroyed.",
            "changes": {"operation": "apply"},
        },
    ]:
        ui.feed(json.dumps(event) + "\n")
    ui.feed("not json: a provider crash trace\n")
    assert echoed == [
        "aws_ecs_cluster.this: creating...",
        "aws_ecs_cluster.this: still creating... (10s)",
        "aws_ecs_cluster.this: created (12s)",
        "aws_kms_key.this: destroying...",
        "aws_kms_key.this: failed while destroying (1s)",
        "Warning: Deprecated\n  use x",
        "Apply complete! Resources: 1 added, 0 changed, 1 destroyed.",
        "not json: a provider crash trace",
    ]
    assert [str(e) for e in ui.errors] == ["Error: denied\n  on main.tf line 3, in aws_kms_key.this"]


def test_work_dirs_stay_outside_the_module(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGEN_STATE_DIR", raising=False)
    modules = tmp_path / "modules"
    inside = run_paths(modules / "iris" / "prod" / "aws-ecs", modules)
    assert inside.work_dir == tmp_path / ".tfgen" / "runs" / "iris" / "prod" / "aws-ecs"
    elsewhere = run_paths(tmp_path / "infra" / "legacy", modules)
    assert elsewhere.work_dir.parent == tmp_path / ".tfgen" / "runs" / "external"
    assert elsewhere.work_dir.name.startswith("legacy-")
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    assert run_paths(modules / "iris" / "aws-ecs", modules).work_dir == tmp_path / "state" / "runs" / "iris" / "aws-ecs"
    assert not Path(modules).exists()  # computing paths creates nothing
