"""`tfgen check`: every gate in one run, a summary table, exit codes 0/1/3."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import EXAMPLES, PLUGIN_MIRROR, REPO, require_terraform

SPECS = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
MODULES = sorted(p.parent for p in (REPO / "modules").rglob("versions.tf"))  # what the examples render
IRIS = str(EXAMPLES / "iris-classifier.yaml")  # the spec whose module the stale test edits


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    require_terraform()
    modules = tmp_path_factory.mktemp("modules")
    subprocess.run(
        [sys.executable, "-m", "generator", "render", *SPECS, "-o", str(modules)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return modules


# google and azurerm cannot be installed on this machine (the mirror has aws only): the explicit, narrow skip
SKIPS = ["--skip-validate-provider", "google", "--skip-validate-provider", "azurerm"]


@pytest.fixture(scope="module")
def clean_run(rendered, tmp_path_factory):
    # its own, empty pass cache: every step really runs (the user's ~/.cache/tfgen/check would replay passes)
    env = dict(os.environ, TFGEN_CACHE_DIR=str(tmp_path_factory.mktemp("check-cache")))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "check",
            *SPECS,
            "--modules-dir",
            str(rendered),
            "--plugin-mirror",
            str(PLUGIN_MIRROR),
            *SKIPS,
            "--no-cache",
        ],  # lint: tfgen's bundled schemas
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )


def table_rows(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step "))
    return {line.split("  ")[0].strip(): line for line in lines[header + 2 : -1]}  # the last line is the summary


@pytest.mark.terraform
@pytest.mark.checkov
def test_clean_examples_pass_every_step_with_the_explicit_skips(clean_run, rendered):
    assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
    rows = table_rows(clean_run.stdout)
    assert list(rows) == [
        "validate",
        "render",
        "fmt",
        "lint",
        "terraform validate",
        "scan",
        "kustomize build",
        "kubernetes schema",
        "scan (kubernetes)",
    ]  # each output kind's gates
    for step in (
        "validate",
        "render",
        "fmt",
        "lint",
        "terraform validate",
        "scan",
        "kustomize build",
        "kubernetes schema",
        "scan (kubernetes)",
    ):
        assert "  ok  " in rows[step], rows[step]
    assert "0 failed" in rows["scan"] and "0 failed" in rows["scan (kubernetes)"]
    assert f"lint: 0 error(s), 0 warning(s) in {len(MODULES)} module(s)" in rows["lint"]
    # the AWS ones ran; the google and azurerm ones were skipped as asked, each named on the summary line
    terraform_modules = sorted(p.parent for p in rendered.rglob("versions.tf"))
    skipped = [(m, provider_of(m)) for m in terraform_modules if provider_of(m) != "aws"]
    assert {p for _, p in skipped} == {"google", "azurerm"}
    assert (
        f"{len(terraform_modules) - len(skipped)} of {len(terraform_modules)} module(s), {len(skipped)} skipped"
        in rows["terraform validate"]
    )
    summary = clean_run.stdout.splitlines()[-1]
    assert summary == (
        "check: passed: every step ran on every module except as skipped (skipped as asked: terraform validate on "
        + ", ".join(f"{module} ({provider})" for module, provider in skipped)
        + ")"
    )


def provider_of(module: Path) -> str:
    """The one provider a rendered Terraform module requires (its versions.tf)."""
    (name,) = re.findall(r'source\s*=\s*"hashicorp/([a-z]+)"', (module / "versions.tf").read_text())
    return name


@pytest.mark.terraform
@pytest.mark.checkov
def test_a_step_that_cannot_run_fails_the_gate_and_names_the_exact_skip(tmp_path):
    """No skip given: terraform validate cannot install azurerm, so the gate fails (exit 3) and says how to skip exactly that."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "check",
            str(EXAMPLES / "resnet-aci.yaml"),
            "--plugin-mirror",
            str(PLUGIN_MIRROR),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ, TFGEN_CACHE_DIR=str(tmp_path / "check-cache")),
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terraform validate: not run: resnet-aci/azure-aci: provider not available here (azurerm)" in proc.stdout
    assert (
        "terraform validate: could not run on 1 module(s): give tfgen those providers (--plugin-mirror DIR "
        "holding them, or registry access), or skip terraform validate for exactly these modules: "
        "--skip-validate-provider azurerm"
    ) in proc.stdout
    rows = table_rows(proc.stdout)
    assert "  not run  " in rows["terraform validate"] and "0 of 1 module(s)" in rows["terraform validate"]
    assert proc.stdout.splitlines()[-1] == "check: FAILED: terraform validate did not run on 1 module(s)"


@pytest.mark.terraform
@pytest.mark.checkov
def test_stale_module_is_a_finding(rendered, tmp_path):
    copy = tmp_path / "modules"
    shutil.copytree(rendered, copy)
    main = copy / "iris-classifier" / "aws-ecs" / "main.tf"
    main.write_text(main.read_text() + "\n# hand edit\n")
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "check", IRIS, "--modules-dir", str(copy)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"render: out of date: {main} (would update)" in proc.stdout
    assert "render" in proc.stdout and "findings" in proc.stdout


def test_invalid_spec_stops_at_validate(write_spec):
    bad = write_spec("name: x-y\ntargets: {aws-ecs: {region: us-east-1}}\nresources: {memory: 1}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "check", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert f"validate: {bad}:3:" in proc.stdout
    assert "render" not in proc.stdout.split("step")[1]


@pytest.mark.terraform
def test_missing_terraform_is_a_tool_failure(rendered, tmp_path):
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "check", IRIS, "--modules-dir", str(rendered)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "fmt: terraform is not on PATH" in proc.stdout
    assert "tool failed" in proc.stdout
    assert "Traceback" not in proc.stderr


# --- the gate's strictness, on the gate functions themselves (no terraform: validate_module is replaced)


def fake_validate(outcomes: dict[str, tuple[str, ...]]):
    """validate_module stand-in: folder name -> providers it cannot install (empty: validate ran clean)."""
    from generator.runners.static_checks import ValidateOutcome

    def validate_module(folder: Path, *, plugin_mirror=None) -> ValidateOutcome:
        missing = outcomes[folder.name]
        if missing:
            return ValidateOutcome(
                unavailable=f"provider not available here ({', '.join(missing)})", missing_providers=missing
            )
        return ValidateOutcome()

    return validate_module


def run_validate_gate(monkeypatch, outcomes, skips=()):
    from generator.outputs import GateOptions, Step
    from generator.outputs.terraform import TERRAFORM
    from generator.runners import static_checks

    monkeypatch.setattr(static_checks, "validate_module", fake_validate(outcomes))
    gate = next(g for g in TERRAFORM.gates if g.name == "terraform validate")
    step = Step(gate.name)
    gate.run(step, [Path("m") / name for name in outcomes], GateOptions([], skip_validate_providers=frozenset(skips)))
    return step


def test_partial_validate_is_not_run_and_fails(monkeypatch):
    from generator.check import NOT_RUN, exit_code, summary

    step = run_validate_gate(monkeypatch, {"ecs": (), "run": ("google",), "aci": ("azurerm",)})
    assert step.status == NOT_RUN and step.detail == "1 of 3 module(s)"
    assert step.not_run == ["m/run", "m/aci"]
    assert step.messages[-1].endswith("--skip-validate-provider azurerm --skip-validate-provider google")
    assert exit_code([step]) == 3
    assert summary([step]) == "check: FAILED: terraform validate did not run on 2 module(s)"


def test_skip_covers_exactly_the_named_providers(monkeypatch):
    from generator.check import NOT_RUN, OK, exit_code, summary

    # google skipped; the module that cannot install azurerm still fails, and the hint names only azurerm
    step = run_validate_gate(monkeypatch, {"ecs": (), "run": ("google",), "aci": ("azurerm",)}, skips={"google"})
    assert step.status == NOT_RUN and step.skipped == ["m/run (google)"] and step.not_run == ["m/aci"]
    assert step.messages[-1].endswith("for exactly these modules: --skip-validate-provider azurerm")
    assert exit_code([step]) == 3

    # a module missing google *and* azurerm is not excused by a google skip alone
    step = run_validate_gate(monkeypatch, {"both": ("azurerm", "google")}, skips={"google"})
    assert step.not_run == ["m/both"] and step.skipped == []

    step = run_validate_gate(
        monkeypatch, {"ecs": (), "run": ("google",), "aci": ("azurerm",)}, skips={"google", "azurerm"}
    )
    assert step.status == OK and step.detail == "1 of 3 module(s), 2 skipped" and step.not_run == []
    assert exit_code([step]) == 0
    assert summary([step]) == (
        "check: passed: every step ran on every module except as skipped "
        "(skipped as asked: terraform validate on m/run (google), m/aci (azurerm))"
    )


def test_every_module_skipped_is_a_skipped_step_not_a_pass_in_disguise(monkeypatch):
    from generator.check import SKIPPED, exit_code, table

    step = run_validate_gate(monkeypatch, {"run": ("google",)}, skips={"google"})
    assert step.status == SKIPPED and step.detail == "0 of 1 module(s), 1 skipped"
    assert exit_code([step]) == 0
    assert "  skipped  " in table([step])


def test_lint_without_a_schema_fails_the_gate(tmp_path):
    from generator.check import NOT_RUN, exit_code, summary
    from generator.outputs import GateOptions, Step
    from generator.outputs.terraform import TERRAFORM

    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text('resource "aws_s3_object" "o" {\n}\n')  # a real type the bundle does not hold
    step = Step("lint")
    next(g for g in TERRAFORM.gates if g.name == "lint").run(step, [module], GateOptions([]))
    assert step.status == NOT_RUN and step.not_run == [str(module)]
    assert "pass --provider-schema FILE" in step.messages[0]
    assert exit_code([step]) == 3
    assert summary([step]) == "check: FAILED: lint did not run on 1 module(s)"
