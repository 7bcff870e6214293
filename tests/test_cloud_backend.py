"""`state.backend: cloud`: HCP Terraform / Terraform Enterprise `cloud {}` blocks, a workspace
per module by name or workspaces by tags (templates/_shared/backend.tf.j2, targets/common.py)."""

from __future__ import annotations

import shutil

import pytest

from generator.errors import SpecError
from generator.pipeline import load_environments, render_spec
from tests.support import require_terraform, run, terraform_env, terraform_fmt_check, terraform_validate

SPEC = """
name: iris-cloud
container:
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:1.0
  port: 8080
targets:
  aws-ecs: {region: us-east-1}
  aws-lambda: {region: us-east-1, package: {type: image}}
state:
  backend: cloud
  organization: acme-ml
  project: ml-services
environments:
  prod:
    state:
      backend: cloud
      organization: acme-ml
      hostname: tfe.example.com
      workspace_tags: ["iris", "env:prod"]
"""


def backends(spec_path) -> dict[str, str]:
    out = {}
    for spec in load_environments(spec_path):
        files, _ = render_spec(spec)
        out.update({str(p.parent): text for p, text in files.items() if p.name == "backend.tf"})
    return out


def test_a_workspace_per_module_by_default_and_by_tags_in_an_environment(write_spec):
    rendered = backends(write_spec(SPEC))
    assert rendered["iris-cloud/aws-ecs"] == (
        'terraform {\n  cloud {\n    organization = "acme-ml"\n\n    workspaces {\n'
        '      name    = "iris-cloud-aws-ecs"\n      project = "ml-services"\n    }\n  }\n}\n'
    )
    assert 'name    = "iris-cloud-aws-lambda"' in rendered["iris-cloud/aws-lambda"]
    assert rendered["iris-cloud/prod/aws-lambda"] == (
        'terraform {\n  cloud {\n    organization = "acme-ml"\n    hostname     = "tfe.example.com"\n\n'
        '    workspaces {\n      tags    = ["iris", "env:prod"]\n      project = "ml-services"\n    }\n  }\n}\n'
    )


def test_a_named_workspace_for_a_one_module_spec(write_spec):
    text = (
        SPEC.replace("  aws-lambda: {region: us-east-1, package: {type: image}}\n", "")
        .replace("  project: ml-services\n", "  workspace: iris-base\n")
        .replace('      workspace_tags: ["iris", "env:prod"]', "      workspace: iris-prod")
    )
    rendered = backends(write_spec(text))
    assert 'name = "iris-base"' in rendered["iris-cloud/aws-ecs"]
    assert 'name = "iris-prod"' in rendered["iris-cloud/prod/aws-ecs"]


@pytest.mark.parametrize(
    "state, message",
    [
        ("  workspace: shared\n", "state.workspace: one workspace would hold the state of 2 modules"),
        (
            "  workspace: a\n  workspace_tags: [b]\n",
            "give `workspace` (one workspace by name) or `workspace_tags`, not both",
        ),
        ('  workspace_tags: ["has space"]\n', "state.workspace_tags[0]:"),
        ("  bucket: not-for-cloud\n", "state.bucket: not allowed here"),
    ],
)
def test_bad_cloud_settings_are_one_located_error(write_spec, state, message):
    path = write_spec(SPEC.replace("  project: ml-services\n", state))
    with pytest.raises(SpecError) as caught:
        load_environments(path)
    assert any(message in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]


def test_organization_is_required(write_spec):
    with pytest.raises(SpecError) as caught:
        load_environments(write_spec(SPEC.replace("  organization: acme-ml\n  project", "  project")))
    assert any("missing required field `organization`" in str(p) for p in caught.value.problems)


@pytest.mark.terraform
def test_terraform_accepts_the_cloud_blocks(write_spec, tmp_path):
    """fmt-clean, `validate` clean, and `terraform init` reads each cloud block and gets as far as contacting
    the host (no network here): a broken block is refused before that (the control below proves it)."""
    require_terraform()
    out = tmp_path / "modules"
    for spec in load_environments(write_spec(SPEC)):
        files, _ = render_spec(spec)
        for rel, text in files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(text if isinstance(text, bytes) else text.encode())
    modules = sorted(p.parent for p in out.rglob("backend.tf"))
    assert len(modules) == 4

    def init(module):
        work = tmp_path / "init" / module.relative_to(out)
        shutil.copytree(module, work)
        return run(
            [require_terraform(), "init", "-input=false", "-no-color"], work, terraform_env(tmp_path), timeout=120
        )

    for module in modules:
        assert terraform_fmt_check(module).returncode == 0, module
        checked = terraform_validate(module, tmp_path / module.relative_to(out).as_posix().replace("/", "-"))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        proc = init(module)
        text = proc.stdout + proc.stderr
        assert "Initializing HCP Terraform" in text, text
        assert "Invalid workspaces configuration" not in text and "Unsupported argument" not in text, text

    broken = out / "broken"
    shutil.copytree(modules[0], broken)
    backend = broken / "backend.tf"
    backend.write_text(backend.read_text().replace('project = "ml-services"', 'tags = ["x"]'))
    assert "Invalid workspaces configuration" in (lambda p: p.stdout + p.stderr)(init(broken))
