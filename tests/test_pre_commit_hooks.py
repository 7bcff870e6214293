"""The pre-commit hooks (.pre-commit-hooks.yaml) run on tfgen specs only, not on every YAML file.

pre-commit selects a hook's files with `re.search(files, path)` minus `exclude`,
then keeps those whose identify tags include every one in `types`; this test
applies the same rules to a repository's worth of paths.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.support import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())

SPECS = [
    "tfgen.yaml",
    "tfgen.yml",
    "specs/iris.tfgen.yaml",
    "deploy/prod/sentiment-lambda.tfgen.yml",
    "services/a/tfgen.yaml",
]
NOT_SPECS = [
    "docker-compose.yml",
    "docker-compose.yaml",
    ".github/workflows/ci.yml",
    "mkdocs.yml",
    "config.yaml",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "k8s/deployment.yaml",
    "nottfgen.yaml",
    "tfgen.yaml.bak",
    "tfgen/values.yaml",
    "charts/tfgen.yaml.tpl",
    "examples/ci/github-actions.yml",
]


def selected(hook: dict, path: str) -> bool:
    if not re.search(hook.get("files", ""), path):
        return False
    if hook.get("exclude") and re.search(hook["exclude"], path):
        return False
    tags = {"file", "text", "yaml"} if path.endswith((".yaml", ".yml")) else {"file", "text"}  # identify's tags
    return set(hook.get("types", [])) <= tags


def test_both_hooks_exist():
    assert [h["id"] for h in HOOKS] == ["tfgen-render-check", "tfgen-check"]


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_hooks_run_on_specs_only(hook):
    assert [p for p in SPECS if not selected(hook, p)] == []
    assert [p for p in NOT_SPECS if selected(hook, p)] == []
    assert hook["types"] == ["yaml"] and hook["pass_filenames"] is True


def test_readme_says_how_a_repository_marks_its_specs():
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "run on tfgen specs only" in readme
    assert "`tfgen.yaml` or `<name>.tfgen.yaml`" in readme
    assert "files: ^specs/" in readme
