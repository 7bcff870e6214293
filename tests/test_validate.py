"""Schema and per-platform rules: every problem located, all at once, sorted."""

from __future__ import annotations

import json

import jsonschema
import pytest

from generator import paths

BASE = """
name: demo-svc
container:
  image: ghcr.io/example/demo:1.0
{extra}targets:
{targets}
"""

ECS = "  aws-ecs:\n    region: us-east-1\n"
LAMBDA_ZIP = "  aws-lambda:\n    region: us-east-1\n    package: {type: zip, filename: build/f.zip, handler: app.handler, runtime: python3.12}\n"
RUN = "  gcp-cloud-run:\n    project: demo-project\n    region: europe-west1\n"
ACI = (
    "  azure-aci:\n    location: westeurope\n    resource_group: {name: rg-demo}\n"
    "    key_vault_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-demo\n"
)


def _errors(run_cli, path):
    result = run_cli("validate", str(path))
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(paths.spec_schema_path().read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_command_prints_the_schema(run_cli):
    result = run_cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "tfgen deployment spec"


def test_unknown_key_suggests_the_close_one_at_its_line(run_cli, write_spec):
    path = write_spec(BASE.format(extra="scalling:\n  max: 3\n", targets=ECS))
    (line,) = _errors(run_cli, path)
    assert line.startswith(f"{path}:4:1: scalling: unknown field (did you mean `scaling`?)")


def test_all_errors_reported_sorted_by_position(run_cli, write_spec):
    extra = "resources:\n  cpu: yes\n  memory: 64\nnetwork:\n  public: maybe\n"
    path = write_spec(BASE.format(extra=extra, targets=ECS).replace("demo-svc", "Demo_Svc"))
    lines = _errors(run_cli, path)
    assert [line.split(": ")[1] for line in lines] == ["name", "resources.cpu", "resources.memory", "network.public"]
    assert lines[0].startswith(f"{path}:1:7: name:")
    assert "expected a number, got boolean" in lines[1]
    assert "64 is too small; minimum is 128" in lines[2]
    assert "expected true or false" in lines[3]


def test_missing_required_fields(run_cli, write_spec):
    path = write_spec("description: no name, no targets\n")
    lines = _errors(run_cli, path)
    assert lines == [f"{path}:1:1: name: missing required field", f"{path}:1:1: targets: missing required field"]


@pytest.mark.parametrize(
    "extra, targets, expected",
    [
        (
            "resources: {cpu: 1, memory: 1024}\n",
            ECS,
            "resources.memory: Fargate with 1 vCPU needs memory 2048-8192 in steps of 1024 MiB; got 1024",
        ),
        (
            "resources: {cpu: 3, memory: 4096}\n",
            ECS,
            "resources.cpu: Fargate supports cpu 0.25, 0.5, 1, 2, 4, 8, 16; got 3",
        ),
        ("network: {public: true}\n", ECS, "targets.aws-ecs: a public service needs `certificate_arn`"),
        ("observability: {log_retention_days: 31}\n", ECS, "CloudWatch Logs cannot keep logs 31 days"),
        ("resources: {memory: 20000}\n", LAMBDA_ZIP, "resources.memory: Lambda memory is 128-10240 MiB; got 20000"),
        (
            "resources: {cpu: 2, memory: 1024}\n",
            LAMBDA_ZIP,
            "Lambda gives 0.58 vCPU at 1024 MiB; raise memory to at least 3538",
        ),
        ("scaling: {concurrency: 10}\n", LAMBDA_ZIP, "a Lambda instance serves one request at a time"),
        (
            "resources: {cpu: 1, memory: 8192}\n",
            RUN,
            "resources.cpu: Cloud Run needs at least 2 vCPU for more than 4096 MiB",
        ),
        ("resources: {cpu: 0.5}\n", RUN, "Cloud Run supports cpu 1, 2, 4, 6, 8; got 0.5"),
        (
            "scaling: {max: 5}\nobservability: {tracing: false}\n",
            ACI,
            "scaling: Azure Container Instances has no autoscaling",
        ),
        ("observability: {tracing: true}\n", ACI, "observability.tracing: Container Instances has no built-in tracing"),
    ],
)
def test_platform_limits(run_cli, write_spec, extra, targets, expected):
    path = write_spec(BASE.format(extra=extra, targets=targets))
    lines = _errors(run_cli, path)
    assert any(expected in line for line in lines), lines


def test_name_fits_but_not_with_a_long_env(run_cli, write_spec):
    extra = "environments:\n  staging:\n    scaling: {max: 2}\n"
    path = write_spec(BASE.format(extra=extra, targets=ECS).replace("demo-svc", "service-name-twenty-two"))
    (line,) = _errors(run_cli, path)
    assert line.startswith(f"{path}:1:1: name: `service-name-twenty-two-staging` is 31 characters; at most 29 here")


def test_error_inside_an_environment_points_at_the_overlay(run_cli, write_spec):
    extra = "environments:\n  prod:\n    resources:\n      cpu: 1\n      memory: 999\n"
    path = write_spec(BASE.format(extra=extra, targets=ECS))
    (line,) = _errors(run_cli, path)
    assert line.startswith(f"{path}:8:7: resources.memory: Fargate with 1 vCPU needs memory")


def test_unknown_env_is_an_error(run_cli, write_spec):
    path = write_spec(BASE.format(extra="", targets=ECS))
    result = run_cli("validate", "--env", "prod", str(path))
    assert result.exit_code == 1
    assert "no environment `prod`; known: none defined" in result.stderr


def test_overlay_may_not_rename_the_service(run_cli, write_spec):
    extra = "environments:\n  dev:\n    name: other\n"
    path = write_spec(BASE.format(extra=extra, targets=ECS))
    (line,) = _errors(run_cli, path)
    assert "environments.dev.name: unknown field" in line


def test_examples_are_valid(run_cli):
    from tests.support import EXAMPLES

    specs = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    assert len(specs) >= 3
    result = run_cli("validate", *specs)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok") == len(specs)
