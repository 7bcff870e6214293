"""`tfgen render --atlantis FILE`: an Atlantis repo config, one project per rendered Terraform
module, its spec in when_modified, a workflow running the tfgen gate (generator/atlantis.py)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import EXAMPLES, REPO

# Atlantis' repo-level config reference (runatlantis.io/docs/repo-level-atlantis-yaml.html) and
# custom workflows reference (runatlantis.io/docs/custom-workflows.html#reference)
TOP_LEVEL = {
    "version",
    "automerge",
    "delete_source_branch_on_merge",
    "parallel_plan",
    "parallel_apply",
    "abort_on_execution_order_fail",
    "projects",
    "workflows",
    "allowed_regexp_prefixes",
}
PROJECT = {
    "name",
    "branch",
    "dir",
    "workspace",
    "execution_order_group",
    "delete_source_branch_on_merge",
    "repo_locking",
    "autoplan",
    "terraform_version",
    "apply_requirements",
    "plan_requirements",
    "import_requirements",
    "workflow",
    "silence_pr_comments",
    "custom_policy_check",
}
AUTOPLAN = {"enabled", "when_modified"}
STAGES = {"plan", "apply", "policy_check", "import", "state_rm"}
BUILT_IN_STEPS = {"init", "plan", "apply", "show", "policy_check", "import", "state_rm"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A repository root holding examples/ and the rendered modules/ plus atlantis.yaml."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(EXAMPLES, root / "examples")
    specs = sorted(str(p.relative_to(root)) for p in (root / "examples").glob("*.yaml"))
    proc = render(root, *specs, "-o", "modules", "--atlantis", "atlantis.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "wrote atlantis.yaml" in proc.stderr
    return root


def render(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "generator", "render", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def load(repo: Path) -> dict:
    return yaml.safe_load((repo / "atlantis.yaml").read_text())


def test_one_project_per_terraform_module_planned_when_it_or_its_spec_changes(repo):
    config = load(repo)
    terraform_modules = sorted(str(p.parent.relative_to(repo)) for p in (repo / "modules").rglob("versions.tf"))
    kubernetes_modules = [p.parent for p in (repo / "modules").rglob("kustomization.yaml")]
    assert terraform_modules and kubernetes_modules  # the examples have both kinds
    assert sorted(p["dir"] for p in config["projects"]) == terraform_modules  # Kubernetes manifests are no project
    assert len({p["name"] for p in config["projects"]}) == len(config["projects"])
    for project in config["projects"]:
        folder = repo / project["dir"]
        spec_pattern = project["autoplan"]["when_modified"][-1]
        spec = (folder / spec_pattern).resolve()
        assert spec.is_file() and spec.parent == (repo / "examples").resolve(), spec_pattern
        assert yaml.safe_load(spec.read_text())["name"] == project["dir"].split("/")[1]  # modules/<name>/...
        assert "**/*" in project["autoplan"]["when_modified"]
        workflow = config["workflows"][project["workflow"]]
        gate = workflow["plan"]["steps"][0]["run"]
        assert f"tfgen check {spec.relative_to(repo.resolve())} --modules-dir modules" in gate
        assert workflow["plan"]["steps"][1:] == ["init", "plan"]


def test_only_keys_atlantis_documents(repo):
    config = load(repo)
    assert config["version"] == 3
    assert set(config) <= TOP_LEVEL
    for project in config["projects"]:
        assert set(project) <= PROJECT and "dir" in project
        assert set(project["autoplan"]) <= AUTOPLAN
        assert not Path(project["dir"]).is_absolute()
    for workflow in config["workflows"].values():
        assert set(workflow) <= STAGES
        for stage in workflow.values():
            assert set(stage) == {"steps"}
            for step in stage["steps"]:
                assert (isinstance(step, str) and step in BUILT_IN_STEPS) or (
                    isinstance(step, dict) and set(step) == {"run"} and isinstance(step["run"], str)
                ), step


def test_the_gate_step_runs_tfgen_check_from_the_repository_root(repo, tmp_path):
    """The run step, in a shell as Atlantis runs it (cwd and $DIR = the project, $REPO_REL_DIR its path)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tfgen"
    fake.write_text('#!/bin/sh\necho "cwd=$(pwd)"\nfor a in "$@"; do echo "arg=$a"; done\ntest -f "$2"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    config = load(repo)
    for project in config["projects"]:
        folder = repo / project["dir"]
        gate = config["workflows"][project["workflow"]]["plan"]["steps"][0]["run"]
        proc = subprocess.run(
            ["sh", "-c", gate],
            cwd=folder,
            capture_output=True,
            text=True,
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "DIR": str(folder), "REPO_REL_DIR": project["dir"]},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr  # the spec path resolves from there
        assert f"cwd={repo}" in proc.stdout
        assert "arg=check" in proc.stdout and "arg=--modules-dir" in proc.stdout


def test_check_reports_a_stale_atlantis_yaml_and_render_refreshes_it(repo, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(repo, copy)
    specs = sorted(str(p.relative_to(copy)) for p in (copy / "examples").glob("*.yaml"))
    assert render(copy, *specs, "-o", "modules", "--atlantis", "atlantis.yaml", "--check").returncode == 0
    text = (copy / "atlantis.yaml").read_text()
    (copy / "atlantis.yaml").write_text(text.replace("parallel_plan: true", "parallel_plan: false"))
    stale = render(copy, *specs, "-o", "modules", "--atlantis", "atlantis.yaml", "--check")
    assert stale.returncode == 1 and "would write: atlantis.yaml" in stale.stderr
    assert render(copy, *specs, "-o", "modules", "--atlantis", "atlantis.yaml").returncode == 0
    assert (copy / "atlantis.yaml").read_text() == text


def test_a_hand_written_atlantis_yaml_is_never_overwritten(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    mine = "version: 3\nprojects:\n- dir: infra\n"
    (tmp_path / "atlantis.yaml").write_text(mine)
    proc = render(tmp_path, "examples/iris-classifier.yaml", "-o", "modules", "--atlantis", "atlantis.yaml")
    assert proc.returncode == 1, proc.stderr
    assert "atlantis.yaml exists and was not written by tfgen; nothing was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "atlantis.yaml").read_text() == mine
    assert not (tmp_path / "modules").exists()
