"""One process layer: every terraform tfgen starts goes through runners/tfprocess.py with one policy.

A recording stand-in for terraform (first on PATH) shows the argument list and
environment of each call made by `tfgen check`'s fmt and validate, `tfgen
scan`'s `show -json` of a binary plan and lint's `providers schema -json`.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from generator.lint import schema_source
from generator.runners import checkov, static_checks

REPO = Path(__file__).resolve().parent.parent

RECORDER = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}) + "\\n")
args = [a for a in sys.argv[1:] if not a.startswith("-")]
if args[:1] == ["validate"]:
    print(json.dumps({{"diagnostics": []}}))
elif args[:1] == ["show"]:
    print(json.dumps({{"format_version": "1.2", "planned_values": {{}}}}))
elif args[:2] == ["providers", "schema"]:
    print(json.dumps({{"format_version": "1.0", "provider_schemas": {{}}}}))
"""


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(RECORDER.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin")
    monkeypatch.setenv("TF_CLI_ARGS", "-no-color")
    monkeypatch.setenv("TF_CLI_ARGS_init", "-upgrade")
    monkeypatch.setenv("TF_CLI_ARGS_show", "-state=elsewhere")
    monkeypatch.delenv("TF_IN_AUTOMATION", raising=False)
    monkeypatch.delenv("TF_INPUT", raising=False)

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()]

    return calls


def test_every_terraform_call_gets_the_one_environment_policy(recorded, tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text("")
    (module / ".terraform.lock.hcl").write_text("")
    (module / ".terraform").mkdir()
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"PK\x03\x04 not really a zip")

    assert static_checks.fmt_check(module) == []
    assert static_checks.validate_module(module).errors == []
    checkov._show_plan(plan, module, tmp_path / "plan.json", timeout=60)
    assert schema_source.load_terraform_schemas(module, cache_dir=tmp_path / "cache") == ([], "")

    calls = recorded()
    assert [c["argv"] for c in calls] == [
        ["fmt", "-check", "-list=true", "-no-color", "."],
        ["init", "-backend=false", "-input=false", "-no-color"],
        ["validate", "-json", "-no-color"],
        ["show", "-json", "-no-color", str(plan.resolve())],
        ["providers", "schema", "-json"],
    ]
    for call in calls:
        env = call["env"]
        assert not [k for k in env if k.startswith("TF_CLI_ARGS")], call["argv"]
        assert (env["TF_IN_AUTOMATION"], env["TF_INPUT"], env["CHECKPOINT_DISABLE"]) == ("1", "0", "1"), call["argv"]
    assert calls[0]["env"]["TF_CLI_CONFIG_FILE"] == "/dev/null"  # fmt reads no CLI configuration
    assert calls[1]["env"]["TF_DATA_DIR"] == calls[2]["env"]["TF_DATA_DIR"] != str(module / ".terraform")
    assert calls[4]["cwd"] == str(module)


def test_only_the_process_layer_starts_terraform():
    """subprocess is imported only by the terraform layer and the runners of other tools
    (Checkov, the emulator's moto, kubectl); python-terraform only by the terraform layer."""
    allowed = {
        "generator/runners/tfprocess.py",
        "generator/runners/checkov.py",
        "generator/runners/emulator.py",
        "generator/runners/kubectl.py",
    }
    importers: dict[str, set[str]] = {"subprocess": set(), "python_terraform": set()}
    for path in sorted((REPO / "generator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for module, found in importers.items():
                if any(n == module or n.startswith(module + ".") for n in names):
                    found.add(path.relative_to(REPO).as_posix())
    assert importers["subprocess"] <= allowed, importers["subprocess"] - allowed
    assert importers["python_terraform"] == {"generator/runners/tfprocess.py"}
