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
    plan = {
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "values": {
                            "filename": "./../build/function.zip",
                            "runtime": "python3.12",
                            "layers": [{"filename": str(absolute)}],
                            "handler": "inside.zip",
                        }
                    }
                ],
                "child_modules": [{"resources": [{"values": {"source": "../build", "name": "missing.zip"}}]}],
            }
        }
    }
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
    assert applied.stderr == (
        f"refusing to apply: {module} changed since the plan was made:\n"
        f"  changed: {package.resolve()} (read by the module)\n"
        "run `tfgen plan` again and review the new plan\n"
    )


def test_plan_and_state_files_an_older_run_left_readable_are_made_owner_only(tmp_path, monkeypatch):
    """terraform runs with umask 077 now; files an earlier tfgen left 0644 are tightened on the next run."""
    import stat

    from generator.runners.plans import tighten_state_files

    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    module = tmp_path / "modules" / "svc"
    module.mkdir(parents=True)
    for mode_of_run in (False, True):
        paths = run_paths(module, module.parent, emulator=mode_of_run)
        paths.work_dir.mkdir(parents=True)
        left = [paths.plan_file, paths.destroy_plan_file, paths.emulator_state_file]
        if not mode_of_run:
            left += [module / "terraform.tfstate", module / "terraform.tfstate.backup"]
        for path in left:
            path.write_text("{}")
            path.chmod(0o644)
        (module / "main.tf").write_text("")
        (module / "main.tf").chmod(0o644)
        tighten_state_files(paths)
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in left} == {p.name: 0o600 for p in left}
        assert stat.S_IMODE((module / "main.tf").stat().st_mode) == 0o644  # configuration is not touched
