"""`tfgen init`: a commented starter spec that validates as written, never over an existing file."""

from __future__ import annotations

import itertools

import pytest

from generator import pipeline
from generator.cli import init as init_command
from generator.starter import TARGETS, suggest_name
from generator.targets import registry
from generator.targets.aws_lambda import STARTER_HANDLER as LAMBDA_HANDLER

KEY_VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-ml"
)
EVERY_ANSWER = [
    "--image",
    "ghcr.io/acme/iris:1.0",
    "--gcp-project",
    "acme-ml",
    "--azure-key-vault-id",
    KEY_VAULT,
    "--no-input",
]
COMBINATIONS = [c for n in range(1, len(TARGETS) + 1) for c in itertools.combinations(TARGETS, n)]


@pytest.mark.parametrize("targets", COMBINATIONS, ids=["+".join(c) for c in COMBINATIONS])
def test_every_choice_of_targets_gives_a_valid_commented_spec(run_cli, tmp_path, monkeypatch, targets):
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--name", "iris", *[a for t in targets for a in ("--target", t)], *EVERY_ANSWER)
    assert result.exit_code == 0, result.stderr
    spec = pipeline.load_spec(tmp_path / "tfgen.yaml")  # raises SpecError when invalid
    assert (spec.name, tuple(spec.targets)) == ("iris", tuple(sorted(targets)))
    text = (tmp_path / "tfgen.yaml").read_text()
    assert text.startswith("# A tfgen spec") and "# environments:" in text
    # the image is asked for (and written) only when a chosen target's starter needs one (not a Lambda zip or a function)
    needs_image = any(registry.get(t).starter.needs_image for t in targets)
    assert (spec.container.image == "ghcr.io/acme/iris:1.0") == needs_image


def test_refuses_to_overwrite(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tfgen.yaml").write_text("mine: true\n")
    result = run_cli("init", "--name", "iris", *EVERY_ANSWER)
    assert result.exit_code == 1
    assert (
        result.stderr == "tfgen.yaml already exists; tfgen init never overwrites a file (remove it or name another)\n"
    )
    assert (tmp_path / "tfgen.yaml").read_text() == "mine: true\n"


def test_lambda_gets_a_starter_handler_but_an_existing_source_folder_is_left_alone(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("init", "a.yaml", "--target", "aws-lambda", "--no-input").exit_code == 0
    assert (tmp_path / "src" / "app.py").read_text() == LAMBDA_HANDLER
    (tmp_path / "src" / "app.py").write_text("def handler(e, c):\n    return 'mine'\n")
    assert run_cli("init", "b.yaml", "--target", "aws-lambda", "--no-input").exit_code == 0
    assert (tmp_path / "src" / "app.py").read_text() == "def handler(e, c):\n    return 'mine'\n"
    files, _ = pipeline.render_spec(pipeline.load_spec(tmp_path / "b.yaml"))
    assert any(path.name == "package.zip" for path in files)  # the folder it names is packaged


def test_prompts_for_what_the_flags_leave_out_in_a_terminal(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(init_command, "_interactive", lambda: True)
    # name, targets, image, port, AWS region, GCP project
    answers = "Bad_Name\nfraud-model\naws-ecs, gcp-cloud-run\nghcr.io/acme/fraud:2.1\n9000\neu-west-1\nacme-fraud\n"
    result = run_cli("init", input=answers)
    assert result.exit_code == 0, result.stderr
    spec = pipeline.load_spec(tmp_path / "tfgen.yaml")
    assert (spec.name, spec.container.image, spec.container.port) == ("fraud-model", "ghcr.io/acme/fraud:2.1", 9000)
    assert spec.target("aws-ecs")["region"] == "eu-west-1" and spec.target("gcp-cloud-run")["project"] == "acme-fraud"
    assert "2-24 characters" in result.stdout  # the invalid name was asked again


def test_without_a_terminal_a_missing_required_answer_is_a_usage_error(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--target", "gcp-cloud-run", "--image", "ghcr.io/acme/iris:1.0")
    assert result.exit_code == 2
    assert "--gcp-project is required (no terminal to ask" in result.stderr
    assert not (tmp_path / "tfgen.yaml").exists()


def test_an_answer_cannot_change_the_documents_shape(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--name", "iris", "--image", 'ghcr.io/a/b:1"\nstate: {backend: s3}', "--no-input")
    assert result.exit_code == 2
    assert "the answers do not make a valid spec, nothing written" in result.stderr
    assert "container.image" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("folder", "name"), [("My_Model v2", "my-model-v2"), ("2fast", "fast"), ("x", "my-model"), ("a" * 40, "a" * 24)]
)
def test_default_name_comes_from_the_folder(folder, name):
    assert suggest_name(folder) == name
