"""`tfgen check`: every gate in one run, a summary table, exit codes 0/1/3."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import EXAMPLES, PLUGIN_MIRROR, REPO, require_terraform

SPECS = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
MODULES = sorted(p.parent for p in (REPO / "modules").rglob("versions.tf"))  # what the examples render


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    require_terraform()
    modules = tmp_path_factory.mktemp("modules")
    subprocess.run([sys.executable, "-m", "generator", "render", *SPECS, "-o", str(modules)], cwd=REPO, check=True,
                   capture_output=True)
    return modules


@pytest.fixture(scope="module")
def clean_run(rendered):
    return subprocess.run([sys.executable, "-m", "generator", "check", *SPECS, "--modules-dir", str(rendered),
                           "--plugin-mirror", str(PLUGIN_MIRROR)],  # lint: tfgen's bundled schemas
                          cwd=REPO, capture_output=True, text=True, timeout=900)


@pytest.mark.terraform
@pytest.mark.checkov
def test_clean_examples_pass_every_step(clean_run):
    assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
    lines = clean_run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step "))
    rows = {line.split("  ")[0].strip(): line for line in lines[header + 2 :]}
    assert list(rows) == ["validate", "render", "fmt", "lint", "terraform validate", "scan"]
    for step in ("validate", "render", "fmt", "lint", "scan"):
        assert "  ok  " in rows[step], rows[step]
    assert "0 failed" in rows["scan"]
    assert f"lint: 0 error(s), 0 warning(s) in {len(MODULES)} module(s)" in rows["lint"]
    # google and azurerm providers are not installable here: the table says so
    assert "3 of 6 module(s)" in rows["terraform validate"]  # the AWS ones: base, prod ECS and Lambda
    assert "not run: " in clean_run.stdout and "(google)" in clean_run.stdout and "(azurerm)" in clean_run.stdout


@pytest.mark.terraform
@pytest.mark.checkov
def test_stale_module_is_a_finding(rendered, tmp_path):
    copy = tmp_path / "modules"
    shutil.copytree(rendered, copy)
    main = copy / "iris-classifier" / "aws-ecs" / "main.tf"
    main.write_text(main.read_text() + "\n# hand edit\n")
    proc = subprocess.run([sys.executable, "-m", "generator", "check", SPECS[0], "--modules-dir", str(copy)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"render: out of date: {main} (would update)" in proc.stdout
    assert "render" in proc.stdout and "findings" in proc.stdout


def test_invalid_spec_stops_at_validate(write_spec):
    bad = write_spec("name: x-y\ntargets: {aws-ecs: {region: us-east-1}}\nresources: {memory: 1}\n")
    proc = subprocess.run([sys.executable, "-m", "generator", "check", str(bad)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert f"validate: {bad}:3:" in proc.stdout
    assert "render" not in proc.stdout.split("step")[1]


@pytest.mark.terraform
def test_missing_terraform_is_a_tool_failure(rendered, tmp_path):
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    proc = subprocess.run([sys.executable, "-m", "generator", "check", SPECS[0], "--modules-dir", str(rendered)],
                          cwd=REPO, capture_output=True, text=True, timeout=300, env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "fmt: terraform is not on PATH" in proc.stdout
    assert "tool failed" in proc.stdout
    assert "Traceback" not in proc.stderr
