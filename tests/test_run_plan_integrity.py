"""What a saved plan is tied to: files the module reads from outside its folder (issue 10 #10)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from generator.runners.plans import files_read_outside, run_paths

FIXTURES = Path(__file__).parent / "fixtures" / "run"


def write_zip(path: Path, body: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", body)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_read_outside_are_found_in_the_planned_values(tmp_path):
    module = tmp_path / "modules" / "svc"
    module.mkdir(parents=True)
    (module / "inside.zip").write_bytes(b"in the folder: fingerprinted already")
    outside = tmp_path / "modules" / "build" / "function.zip"
    digest = write_zip(outside, "x = 1\n")
    absolute = tmp_path / "layer.zip"
    absolute.write_bytes(b"layer")
    plan = {"planned_values": {"root_module": {
        "resources": [{"values": {"filename": "./../build/function.zip", "runtime": "python3.12",
                                  "layers": [{"filename": str(absolute)}], "handler": "inside.zip"}}],
        "child_modules": [{"resources": [{"values": {"source": "../build", "name": "missing.zip"}}]}],
    }}}
    assert files_read_outside(plan, module) == {
        str(outside.resolve()): digest,
        str(absolute.resolve()): hashlib.sha256(b"layer").hexdigest(),
    }


@pytest.mark.terraform
@pytest.mark.emulator
def test_a_zip_outside_the_module_swapped_after_plan_is_refused(aws_emulator, module_copy, tfgen_module):
    """Before: the swapped zip reached terraform's "inconsistent final plan" at apply time."""
    module = module_copy(FIXTURES / "outside-zip")
    package = module.parent / "build" / "function.zip"
    digest = write_zip(package, "def handler(event, context):\n    return 1\n")
    planned = tfgen_module("plan", module, "--emulator", "--summary", "json")
    assert planned.exit_code == 2, planned.stderr
    record = json.loads(run_paths(module, module.parent, emulator=True).record_file.read_text())
    assert record["outside_files"] == {str(package.resolve()): digest}

    write_zip(package, "def handler(event, context):\n    return 2\n")
    applied = tfgen_module("apply", module, "--emulator", "--auto-approve")
    assert applied.exit_code == 1
    assert applied.stderr == (f"refusing to apply: {module} changed since the plan was made:\n"
                              f"  changed: {package.resolve()} (read by the module)\n"
                              "run `tfgen plan` again and review the new plan\n")
