"""`tfgen lint`: exit codes, stdout (findings) and stderr (summary, errors) kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.support import AWS_SCHEMA, AZURERM_SCHEMA, GOOGLE_SCHEMA

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
AWS, GOOGLE, AZURERM = str(AWS_SCHEMA), str(GOOGLE_SCHEMA), str(AZURERM_SCHEMA)


@pytest.fixture(autouse=True)
def schema_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "schema-cache"))


def tfgen(*args: str):
    return CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)


def test_clean_modules_exit_0_with_only_a_summary():
    result = tfgen(
        str(FIXTURES / "clean"),
        "--provider-schema",
        AWS,
        "--provider-schema",
        GOOGLE,
        "--provider-schema",
        AZURERM,
        "--no-terraform",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("lint: 0 error(s), 0 warning(s) in 3 module(s), 6 file(s): 14 resource(s)")


def test_findings_go_to_stdout_and_exit_1():
    target = FIXTURES / "broken" / "missing_required_block.tf"
    result = tfgen(str(target), "--provider-schema", AWS)
    assert result.exit_code == 1
    assert result.stdout == f'{target}:1: resource.aws_lb_listener.http: missing required block "default_action"\n'
    assert result.stderr.startswith("lint: 1 error(s), 0 warning(s) in 1 module(s)")


def test_warnings_alone_exit_0():
    target = FIXTURES / "broken" / "deprecated_only.tf"
    result = tfgen(str(target), "--provider-schema", AWS)
    assert result.exit_code == 0
    assert result.stdout == f'{target}:4: resource.aws_iam_role.task: warning: "managed_policy_arns" is deprecated\n'
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_json_format():
    target = FIXTURES / "broken" / "wrong_type.tf"
    result = tfgen(str(target), "--provider-schema", AWS, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["errors"] == 4 and document["warnings"] == 0
    assert document["modules"] == 1 and document["files"] == 1
    assert document["findings"][0] == {
        "file": str(target),
        "line": 3,
        "address": "resource.aws_lb.this",
        "message": 'wrong type for "internal": expected bool, got string "maybe"',
        "severity": "error",
    }
    assert result.stderr.startswith("lint: 4 error(s)")


def test_no_schema_for_a_provider_is_one_message_and_exit_1(tmp_path):
    # a type tfgen never renders, so the bundled google schema does not hold it
    (tmp_path / "main.tf").write_text('resource "google_bigquery_dataset" "b" {\n  dataset_id = "x"\n}\n')
    result = tfgen(str(tmp_path), "--provider-schema", AWS, "--no-terraform")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"no schema for provider google (used in {tmp_path}); pass --provider-schema FILE "
        "(the output of `terraform providers schema -json`, .json or .json.gz) "
        "[tfgen's bundled google 7.9.0 schema holds only the types tfgen renders, not resource google_bigquery_dataset "
        "(initialise the module or pass --provider-schema)]\n"
    )


def test_a_directory_without_tf_files_is_exit_1(tmp_path):
    result = tfgen(str(tmp_path), "--provider-schema", AWS)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"{tmp_path}: no .tf files here or below\n"


def test_bad_schema_file_is_exit_1(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    (tmp_path / "main.tf").write_text("")
    result = tfgen(str(tmp_path), "--provider-schema", str(bad))
    assert result.exit_code == 1
    assert "not the output of `terraform providers schema -json`" in result.stderr


def test_usage_errors_are_exit_2(tmp_path):
    assert tfgen().exit_code == 2
    missing = tfgen(str(tmp_path / "absent"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["lint", "--help"])
    assert result.exit_code == 0
    assert "tfgen lint modules/ --provider-schema" in result.stdout
