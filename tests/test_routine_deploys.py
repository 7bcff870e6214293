"""Issue 12 #5: CI owns the image tag (`tfgen plan --image`), and a routine deploy needs no --allow-destroy."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.cli import plan as plan_cli
from generator.runners.plans import fingerprint
from generator.runners.workflow import guarded_destroys
from generator.summary import summarize
from generator.targets import registry
from tests.support import render_spec_file, write_variant_spec


def _plan(*changes: tuple[str, str, list[str]]) -> dict:
    return {
        "resource_changes": [
            {"address": f"{kind}.{name}", "type": kind, "name": name, "change": {"actions": actions}}
            for kind, name, actions in changes
        ]
    }


def test_a_new_task_definition_revision_is_routine():
    summary = summarize(
        _plan(("aws_ecs_task_definition", "this", ["delete", "create"]), ("aws_ecs_service", "this", ["update"]))
    )
    assert [c.address for c in summary.destroys] == ["aws_ecs_task_definition.this"]  # still shown to the reviewer
    assert guarded_destroys(summary) == ()


@pytest.mark.parametrize(
    "kind, actions",
    [
        ("aws_cloudwatch_log_group", ["delete", "create"]),  # stateful: replacing loses the logs
        ("aws_s3_bucket", ["create", "delete"]),
        ("aws_kms_key", ["delete"]),
        ("aws_ecs_task_definition", ["delete"]),  # removing it is not a deploy
    ],
)
def test_stateful_or_deleted_resources_still_need_allow_destroy(kind, actions):
    summary = summarize(_plan((kind, "this", actions), ("aws_ecs_task_definition", "this2", ["delete", "create"])))
    assert [c.address for c in guarded_destroys(summary)] == [f"{kind}.this"]


def test_ecs_task_definition_keeps_old_revisions(tmp_path):
    module = render_spec_file(
        write_variant_spec(tmp_path, "s", dict(registry.get("aws-ecs").variants["minimal"])),
        registry.get("aws-ecs"),
        tmp_path / "out",
    )
    from tests.hclread import resources

    assert resources(module, "aws_ecs_task_definition")["this"]["skip_destroy"] is True
    assert "aws_ecs_task_definition" in registry.get("aws-ecs").routine_replacements


def _module(tmp_path, target: str, variant: str = "minimal"):
    spec = write_variant_spec(tmp_path, "s", dict(registry.get(target).variants[variant]))
    return render_spec_file(spec, registry.get(target), tmp_path / "out")


@pytest.mark.parametrize("target", ["aws-ecs", "gcp-cloud-run", "azure-aci"])
def test_image_of_the_same_repository_is_the_module_input(tmp_path, target):
    module = _module(tmp_path, target)
    image = registry.get(target).variants["minimal"]["container"]["image"].rsplit(":", 1)[0] + "@sha256:" + "a" * 64
    assert plan_cli._image_variable(image, module, {}) == {"image": image}
    assert "image = var.image" in " ".join((module / "main.tf").read_text().split())


def test_image_of_another_repository_is_refused(tmp_path):
    module = _module(tmp_path, "aws-ecs")
    with pytest.raises(click.BadParameter, match="not in the repository the module was rendered for"):
        plan_cli._image_variable("ghcr.io/example/other:1.0", module, {})


def test_image_must_be_a_reference(tmp_path):
    module = _module(tmp_path, "aws-ecs")
    with pytest.raises(click.BadParameter, match="not an image reference"):
        plan_cli._image_variable('ghcr.io/example/model:1.0"\n', module, {})


def test_lambda_zip_takes_no_image(tmp_path):
    module = _module(tmp_path, "aws-lambda")
    with pytest.raises(click.UsageError, match="takes no image input"):
        plan_cli._image_variable("ghcr.io/example/model:1.0", module, {})


def test_registry_port_is_not_a_tag():
    assert plan_cli._repository("registry.local:5000/team/model:1.0") == "registry.local:5000/team/model"
    assert plan_cli._repository("registry.local:5000/team/model") == "registry.local:5000/team/model"


def test_the_image_is_in_the_plan_fingerprint(tmp_path):
    module = _module(tmp_path, "aws-ecs")
    one = fingerprint(module, "1.11.4", {"image": "ghcr.io/example/model:1.0"})
    two = fingerprint(module, "1.11.4", {"image": "ghcr.io/example/model:1.1"})
    assert one.digest != two.digest


def test_cli_refuses_another_repository_before_running_terraform(tmp_path):
    spec = write_variant_spec(tmp_path, "s", dict(registry.get("aws-ecs").variants["minimal"]))
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(spec),
            "--target",
            "aws-ecs",
            "--modules-dir",
            str(tmp_path / "m"),
            "--image",
            "ghcr.io/example/other:2.0",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "not in the repository" in result.output
    assert not (tmp_path / "m" / "ecs-minimal" / "aws-ecs" / ".tfgen").exists()
